"""Bulk intake of CRM exports: decode and sniff CSV, map headers, validate rows, import."""
