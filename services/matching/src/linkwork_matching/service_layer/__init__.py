"""Use cases: matching a referral, and the reads behind the HTTP routes; storage behind the ports in ports.py."""
