//! When cached temporary credentials must be renewed: pure time arithmetic.

use time::{Duration, OffsetDateTime};

/// Renew this long before credentials expire (at most; see [`needs_renewal`]).
pub const DEFAULT_RENEWAL_MARGIN: Duration = Duration::minutes(5);

/// True when credentials issued at `issued_at` and expiring at `expires_at` should be renewed
/// at `now`. The margin is `margin`, or half the credentials' lifetime when that is shorter
/// (so short-lived test credentials are still used for a while instead of never).
pub fn needs_renewal(
    issued_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    now: OffsetDateTime,
    margin: Duration,
) -> bool {
    let lifetime = expires_at - issued_at;
    let margin = margin.min(lifetime / 2).max(Duration::ZERO);
    now + margin >= expires_at
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const ISSUED: OffsetDateTime = datetime!(2026-01-01 12:00 UTC);

    #[test]
    fn one_hour_credentials_are_renewed_five_minutes_early() {
        let expires = ISSUED + Duration::hours(1);
        let margin = DEFAULT_RENEWAL_MARGIN;
        assert!(!needs_renewal(ISSUED, expires, ISSUED, margin));
        assert!(!needs_renewal(
            ISSUED,
            expires,
            expires - Duration::minutes(6),
            margin
        ));
        assert!(needs_renewal(
            ISSUED,
            expires,
            expires - Duration::minutes(5),
            margin
        ));
        assert!(needs_renewal(
            ISSUED,
            expires,
            expires + Duration::minutes(1),
            margin
        ));
    }

    #[test]
    fn short_lived_credentials_are_used_for_half_their_life() {
        let expires = ISSUED + Duration::seconds(20);
        let margin = DEFAULT_RENEWAL_MARGIN;
        assert!(!needs_renewal(
            ISSUED,
            expires,
            ISSUED + Duration::seconds(9),
            margin
        ));
        assert!(needs_renewal(
            ISSUED,
            expires,
            ISSUED + Duration::seconds(10),
            margin
        ));
    }

    #[test]
    fn credentials_issued_already_expired_are_renewed() {
        assert!(needs_renewal(
            ISSUED,
            ISSUED - Duration::seconds(1),
            ISSUED,
            DEFAULT_RENEWAL_MARGIN
        ));
    }
}
