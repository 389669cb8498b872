"""What every page needs: the app factory, sign-in and the access table, navigation,
security headers, logs, mail, error pages and the helpers views share."""
