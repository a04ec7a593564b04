"""The settings table's typed face: one field per entry of ``SETTINGS`` (``botwarden/settings.py``), so
that mypy checks each read's name and type. A test keeps the two equal; add a field here with each
setting added there."""

from __future__ import annotations

from typing import TypedDict


class Settings(TypedDict):
    """Resolved operator settings: every setting present, of its declared type (None: left unset)."""

    database_url: str
    fetch_interval_minutes: int
    fetch_timeout_seconds: float
    fetch_deadline_seconds: float
    fetch_concurrency: int
    feed_max_bytes: int
    feed_max_redirects: int
    media_max_bytes: int
    media_page_max_bytes: int
    media_wait_minutes: int
    feed_backoff_max_minutes: int
    allow_hosts: list[str]
    duplicate_window_days: int
    near_duplicate_threshold: float
    near_duplicate_other_link_threshold: float
    near_duplicate_deny: float
    near_duplicate_window_days: int
    fleet_scope: str
    repeated_link_hours: int
    hashtag_max: int
    repost_per_hour: int
    follow_per_day: int
    list_add_per_day: int
    sensitive_terms: list[str]
    abusive_terms: list[str]
    phone_region: str
    spend_cap_usd: float
    post_cost_usd: float
    link_post_cost_usd: float
    x_media_metadata_cost_usd: float
    x_post_read_cost_usd: float
    x_owned_read_cost_usd: float
    x_user_read_cost_usd: float
    x_trend_read_cost_usd: float
    x_dm_read_cost_usd: float
    x_client_app_id: str
    x_usage_drift_percent: float
    x_usage_drift_posts: int
    watch_interval_hours: int
    inbound_id_days: int
    bluesky_labelers: list[str]
    bluesky_labels_ignored: list[str]
    bluesky_watch_posts: int
    mastodon_observer_server: str
    apply_server_rules: bool
    mastodon_visibility: str
    duplicative_stories_share: float
    declared_sources: list[str]
    resolve_links: bool
    link_max_hops: int
    link_deadline_seconds: float
    link_cache_hours: int
    blocklist_files: list[str]
    shortener_hosts: list[str]
    interstitial_hosts: list[str]
    trends_file: str
    trends_x_woeid: int
    import_max_bytes: int
    import_max_record_bytes: int
    import_max_field_chars: int
    import_max_depth: int
    import_max_records: int
    young_account_days: int
    young_account_followers: int
    young_link_burst_max: int
    young_link_burst_minutes: int
    x_api_url: str
    burst_max: int
    burst_window_minutes: int
    backlog_warn_hours: float
    min_interval_minutes: int
    jitter_seconds: int
    quiet_hours: str
    quiet_hours_timezone: str
    daily_cap: int | None
    max_item_age_hours: float
    tracking_parameters: list[str]
    first_run: str
    lease_seconds: int
    max_attempts: int
    alert_webhook_url: str
    probe_interval_hours: int
    resume_on_probe: bool
    secret_key_file: str
    inbound_interval_minutes: int
    dashboard_secret: str
    dashboard_https_only: bool
    http_threads: int
    db_pool_wait_seconds: float
    api_max_body_bytes: int
    api_rate_per_second: float
    api_rate_burst: int
    api_token_concurrency: int
    log_idle_minutes: int
    network_timeout_seconds: int
    select: list[str]
    ignore: list[str]
