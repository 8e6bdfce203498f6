"""Scanning: turning a hold of the key (or the kiosk's virtual key) and per-frame evidence into one
decision. Decision rules, the hold/tap state machine, the kiosk trigger, the controller. No Qt."""
