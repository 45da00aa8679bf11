"""A command given as the list of its arguments (bot/secrets/argv_view.py): code's
subprocess calls and exec-form configuration carry the same passwords a script's command
line does, one quoted string each."""

from __future__ import annotations

import pytest

from bot.secrets.detect import find_secrets
from bot.secrets.redact import redact

PASSWORD = "Vq9mT2w!Lp4~Zx8"

FOUND = [
    ("tools/sync.py", 'subprocess.run(["sshpass", "-p", "{v}", "rsync", "-a", src, dst])'),
    ("tools/dump.py", "subprocess.check_call(['mysqldump', '-uroot', '-p{v}', 'app'])"),
    ("tools/ping.py", 'subprocess.run(["redis-cli", "-a", "{v}", "ping"], check=True)'),
    ("tools/push.py", 'subprocess.run(["docker", "login", "-u", "bot", "-p", "{v}"])'),
    ("tools/run.py", 'subprocess.run(["./app", "--db-password", "{v}"])'),
    ("src/Deploy.java", 'new ProcessBuilder("sshpass", "-p", "{v}", "ssh", host).start();'),
    ("cmd/backup.go", 'exec.Command("mysqldump", "-uroot", "-p{v}", "app").Run()'),
    ("scripts/sync.js", 'spawn("sshpass", ["-p", "{v}", "ssh", host]);'),
    ("src/main.rs", 'Command::new("sshpass").args(["-p", "{v}", "ssh", host])'),
    ("src/main.rs", 'Command::new("sshpass").arg("-p").arg("{v}").arg("ssh")'),
    ("lib/deploy.rb", 'system("sshpass", "-p", "{v}", "ssh", host)'),
    # exec-form configuration
    ("docker-compose.yml", '      test: ["CMD", "mysqladmin", "ping", "-uroot", "-p{v}"]'),
    ("Dockerfile", 'HEALTHCHECK CMD ["mysqladmin", "ping", "-p{v}"]'),
    ("k8s/redis.yaml", '        command: ["redis-server", "--requirepass", "{v}"]'),
]


@pytest.mark.parametrize(("path", "line"), FOUND)
def test_a_password_in_a_commands_argument_list_is_masked_whole(path: str, line: str) -> None:
    text = "import os\n" + line.format(v=PASSWORD) + "\n"
    assert PASSWORD in [text[h.start : h.end] for h in find_secrets(text, path)]
    assert PASSWORD[:6] not in redact(text, path).text


NOT_FOUND = [
    'subprocess.run(["sshpass", "-p", password, "ssh", host])',
    'subprocess.run(["sshpass", "-p", os.environ["SSHPASS"], "ssh", host])',
    'subprocess.run(["docker", "run", "-p", "8080:80", "nginx"])',
    'subprocess.run(["mysql", "-p", "-e", "select 1"])',  # `-p` alone asks for it
    'subprocess.run(["redis-cli", "-a", "$REDIS_PASSWORD", "ping"])',
    'subprocess.run(["git", "log", "-p", "--", path])',
    'subprocess.run(["ssh", "-p", "2222", "bot@build01", "uptime"])',
    'subprocess.run(["mkdir", "-p", "/var/lib/app/cache"])',
]


@pytest.mark.parametrize("line", NOT_FOUND)
def test_an_argument_list_without_a_literal_password_is_not_reported(line: str) -> None:
    assert find_secrets(line + "\n", "tools/run.py") == []


TOKEN = "tK7qW2mZ9xLp4RvB8nYc"  # 20 drawn characters: a token a flag is given


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("tools/release.py", 'subprocess.run(["./publish", "--token", "{t}"], check=True)\n'),
        ("cmd/sync.go", 'exec.Command("sync", "--api-key", "{t}", "--dry-run").Run()\n'),
        ("k8s/agent.yaml", '      args: ["--secret", "{t}"]\n'),
        # a YAML sequence gives a flag and its value an item each
        ("k8s/agent.yaml", "      args:\n        - agent\n        - --token\n        - {t}\n"),
        ("k8s/agent.yaml", '      args:\n      - "--api-key"\n      - "{t}"\n'),
        ("docker-compose.yml", "    command:\n      - --db-password\n      - {p}\n"),
        (
            "k8s/redis.yaml",
            "    command:\n      - redis-server\n      - --requirepass\n      - '{p}'\n",
        ),
    ],
)
def test_a_secret_flags_value_in_an_argument_list_is_masked_whole(path: str, text: str) -> None:
    text = text.format(t=TOKEN, p=PASSWORD)
    value = TOKEN if TOKEN in text else PASSWORD
    assert value in [text[h.start : h.end] for h in find_secrets(text, path)]
    assert value[:6] not in redact(text, path).text


@pytest.mark.parametrize(
    "text",
    [
        "      args:\n        - --token\n        - $(AGENT_TOKEN)\n",
        "      args:\n        - --token-file\n        - /var/run/secrets/agent/token\n",
        "      args:\n        - --api-key\n        - --verbose\n",
        "      args:\n        - --token\n      env:\n        - name: LOG_LEVEL\n",
        "      args:\n        - --token\n        # - an_old_token_value_here_1\n",
        'parser.add_argument("--token", "--access-token", help="the API token")\n',
        'subprocess.run(["gh", "--token", token, "repo", "list"])\n',
    ],
)
def test_a_flag_list_without_a_literal_secret_is_not_reported(text: str) -> None:
    assert find_secrets(text, "k8s/agent.yaml") == []
