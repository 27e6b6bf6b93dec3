"""linkwork notifications: follow-up-due and friends reach people (GOV.UK Notify, SMTP) and link workers (tasks)."""
