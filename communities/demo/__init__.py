"""The Guangming demo district: its data and loader (`data`, behind `manage.py load_demo`) and the demo logins (`accounts`)."""
