"""Real servers for tests on loopback: Dovecot (IMAP) and an aiosmtpd sink (SMTP)."""
