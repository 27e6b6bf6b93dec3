-- Issue 17: the provider side of the loop, by provider and service. No person details: activity referral
-- ids, dates, codes. Each table is written order-independently (first response kept, highest revision's
-- answer kept, latest record per session kept), so replaying the topics rebuilds the same figures.
CREATE TABLE activity_referral (
    id uuid PRIMARY KEY,
    service_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    pcn_code text NOT NULL,
    referred_at timestamptz NOT NULL,
    first_responded_at timestamptz NOT NULL,
    revision int NOT NULL,
    decision text NOT NULL,
    decline_reason text
);
CREATE INDEX activity_referral_referred ON activity_referral (referred_at);

CREATE TABLE session_attendance (
    activity_referral_id uuid NOT NULL,
    session_on date NOT NULL,
    attendance text NOT NULL,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (activity_referral_id, session_on)
);

CREATE TABLE activity_completion (
    activity_referral_id uuid PRIMARY KEY,
    completed_at timestamptz NOT NULL
);
