"""Backup and restore of the database, the media files and (rebuilt on restore) the search index."""
