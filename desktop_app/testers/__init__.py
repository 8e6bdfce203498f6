"""Tester tools: replay a video, classify photos, and write reports. Only testers run these; the
live app never imports them. No Qt."""
