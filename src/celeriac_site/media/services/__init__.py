"""The media app's logic on Django: uploads, claims, processing, batches, health figures."""
