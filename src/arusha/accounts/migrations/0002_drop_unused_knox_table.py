from django.db import migrations


class Migration(migrations.Migration):
    """Drop the table of knox's own token model, which accounts.ApiToken replaces.

    knox's migrations create `knox_authtoken` even when KNOX_TOKEN_MODEL swaps the model
    out; nothing reads or writes it, but its foreign key to the people table makes
    PostgreSQL refuse to empty that table (flush, tests) and it would keep plain token
    rows if an older knox ever wrote any.
    """

    dependencies = [
        ("accounts", "0001_sign_in"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [migrations.RunSQL("DROP TABLE IF EXISTS knox_authtoken", reverse_sql=migrations.RunSQL.noop)]
