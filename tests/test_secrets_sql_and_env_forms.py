"""A database account's password in SQL as MySQL and SQL Server write it, an environment
variable or a system property set or defaulted in code, and a Go raw string. Each was sent
whole before: no pattern read these forms.
"""

from __future__ import annotations

import pytest

from bot.secrets import find_secrets, redact

PASSWORD = "p7w;j9(8Lhx9=Ta!"


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("db/grants.sql", f"GRANT ALL ON app.* TO 'app'@'%' IDENTIFIED BY '{PASSWORD}';"),
        ("db/grants.sql", f"GRANT SELECT ON app.* TO app@localhost IDENTIFIED BY '{PASSWORD}';"),
        ("db/users.sql", f"SET PASSWORD FOR 'app'@'%' = '{PASSWORD}';"),
        ("db/users.sql", f"SET PASSWORD FOR 'app'@'localhost' = PASSWORD('{PASSWORD}');"),
        ("db/users.sql", f"set password = '{PASSWORD}';"),
        ("db/logins.sql", f"EXEC sp_addlogin 'app', '{PASSWORD}'"),
        ("db/logins.sql", f"EXEC sp_addlogin @loginame = 'app', @passwd = '{PASSWORD}'"),
        ("src/main.rs", f'env::set_var("DB_PASSWORD", "{PASSWORD}");'),
        ("app/boot.php", f'putenv("DB_PASSWORD={PASSWORD}");'),
        ("src/Main.java", f'String pw = System.getProperty("db.password", "{PASSWORD}");'),
        ("cmd/main.go", f"password := `{PASSWORD}$5`"),
    ],
)
def test_a_password_in_these_forms_is_masked_whole(path: str, line: str) -> None:
    text = f"{line}\n"
    value = PASSWORD + ("$5" if "`" in line else "")
    [hit] = find_secrets(text, path)
    assert text[hit.start : hit.end] == value
    assert PASSWORD not in redact(text, path).text


@pytest.mark.parametrize(
    ("path", "line"),
    [
        # prose that says "identified by", a grant without a password, a name, a reference
        ("docs/model.md", "Each row is to be identified by its_primary_key."),
        ("db/grants.sql", "GRANT ALL ON app.* TO 'app'@'%';"),
        ("src/main.rs", 'env::set_var("RUST_LOG", "debug,hyper=info");'),
        ("app/boot.php", 'putenv("DB_PASSWORD=${DB_PASSWORD}");'),
        ("src/Main.java", 'String home = System.getProperty("user.home", "/tmp");'),
        # a shell's command substitution and a template in backticks
        ("ci/run.sh", "DB_PASSWORD=`cat /run/secrets/db`"),
        ("src/app.js", "const password = `${prefix}Xk9Qv7mZ2p`;"),
    ],
)
def test_what_is_no_password_in_these_forms_stays(path: str, line: str) -> None:
    assert find_secrets(f"{line}\n", path) == []
