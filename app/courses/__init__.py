"""Courses: the open course folder format, the catalogue, lessons, authoring and assignments."""
