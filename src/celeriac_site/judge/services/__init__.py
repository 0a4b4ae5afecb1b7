"""The judge's logic, plain Python; tasks.py only wires it to Celery."""
