"""The analytics views the SQL console may read (documented in docs/analytics.md).

Plain SQL that means the same on SQLite and PostgreSQL: joins, ``||`` and CASE only. The
views leave out free text that could expose harmful content (report texts, summaries) and
personal data (reporter names and contacts). Rows are not filtered here: the console filters
them per user (trustdesk/analytics/sqlconsole.py), so the views stay the same for everyone.

On PostgreSQL a NOLOGIN role ``trustdesk_analytics_ro`` with SELECT on these views only is
created when the migrating user may create roles; the console then runs each query as that
role. Without the privilege the migration goes on and the console relies on its other guards.
"""

from django.db import migrations

VIEWS = {
    "analytics_incidents": """
        SELECT i.id AS id, 'INC-' || i.id AS ref, i.title AS title, i.status AS status,
               i.severity AS severity, i.region AS region, c.code AS category,
               i.restricted AS restricted, i.commander_id AS commander_id,
               i.detected_at AS detected_at, i.reported_at AS reported_at,
               i.created_at AS created_at, i.triaged_at AS triaged_at,
               i.investigating_at AS investigating_at, i.mitigating_at AS mitigating_at,
               i.monitoring_at AS monitoring_at, i.resolved_at AS resolved_at,
               i.closed_at AS closed_at, i.declined_at AS declined_at,
               i.merged_into_id AS merged_into_id
        FROM incidents_incident i JOIN taxonomy_category c ON c.id = i.category_id""",
    "analytics_reports": """
        SELECT r.id AS id, r.received_at AS received_at, r.channel AS channel,
               r.reporter_type AS reporter_type, r.verified AS verified,
               m.code AS market, c.code AS category, r.language AS language,
               r.minors_involved AS minors_involved, r.group_id AS group_id,
               g.incident_id AS incident_id, g.status AS group_status
        FROM intake_report r
        JOIN intake_reportgroup g ON g.id = r.group_id
        LEFT JOIN taxonomy_market m ON m.id = r.market_id
        LEFT JOIN taxonomy_category c ON c.id = r.category_id""",
    "analytics_regulatory_requests": """
        SELECT q.id AS id, q.incident_id AS incident_id, j.code AS jurisdiction,
               a.code AS authority, q.status AS status, q.outcome AS outcome,
               q.region AS region, q.urgent AS urgent, q.confidential AS confidential,
               q.source AS source, q.received_at AS received_at, q.started_at AS started_at,
               q.due_at AS due_at, q.acknowledged_at AS acknowledged_at,
               q.responded_at AS responded_at, q.closed_at AS closed_at,
               CASE WHEN q.responded_at IS NULL THEN NULL
                    WHEN q.responded_at <= q.due_at THEN 1 ELSE 0 END AS on_time
        FROM regulatory_regulatoryrequest q
        JOIN regulatory_jurisdiction j ON j.id = q.jurisdiction_id
        JOIN regulatory_authority a ON a.id = q.authority_id""",
    "analytics_tasks": """
        SELECT t.id AS id, t.incident_id AS incident_id, t.status AS status,
               t.owner_id AS owner_id, t.created_at AS created_at, t.due_at AS due_at,
               t.completed_at AS completed_at
        FROM incidents_task t""",
}

ROLE = "trustdesk_analytics_ro"

CREATE_ROLE = f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}') THEN
        CREATE ROLE {ROLE} NOLOGIN;
    END IF;
    GRANT {ROLE} TO CURRENT_USER;
    EXECUTE 'GRANT SELECT ON {", ".join(VIEWS)} TO {ROLE}';
EXCEPTION
    WHEN insufficient_privilege OR duplicate_object OR unique_violation THEN
        RAISE NOTICE USING MESSAGE = 'analytics: no read-only role, the SQL console uses '
            || 'its other guards: ' || SQLERRM;
END
$$;
"""  # noqa: S608 (constants only)


def create_role(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_ROLE)


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_spike_detection"),
        ("incidents", "0001_initial"),
        ("intake", "0002_seed_intake_addresses"),
        ("regulatory", "0002_load_regimes"),
        ("taxonomy", "0002_load_taxonomy"),
    ]

    operations = [
        *(
            migrations.RunSQL(
                f"CREATE VIEW {name} AS {body}", reverse_sql=f"DROP VIEW IF EXISTS {name}"
            )
            for name, body in VIEWS.items()
        ),
        migrations.RunPython(create_role, migrations.RunPython.noop),
    ]
