"""The referral service's processes and command-line tools: the service (and development tokens), the
practice-to-PCN table from ODS, and the deprivation table."""
