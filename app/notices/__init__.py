"""Notices (通知公告): secretaries publish to their unit and below; read and acknowledgement receipts."""
