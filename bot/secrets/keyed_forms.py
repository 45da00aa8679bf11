"""A secret's name and value in a platform's own key/value form, where neither an
assignment nor an element named for the secret holds it: Java's XML properties
(`<entry key="db.password">…</entry>`), an Apple property list (`<key>ClientSecret</key>`
then `<string>…</string>`, on the next line as Xcode writes it), Android Gradle's
generated fields (`buildConfigField "String", "API_KEY", "\\"…\\""`, `resValue "string",
"api_key", "…"`: the usual way an app's key reaches its code), .NET's application settings
(`<setting name="ApiKey" …>` then `<value>…</value>`), Hadoop's configuration
(`<name>fs.s3a.secret.key</name>` then `<value>…</value>`), an element named by its
`name` attribute (`<parameter name="password">…</parameter>`), Clojure's and EDN's maps
(`{:db-password "…"}`), Erlang's and Elixir's terms (`{password, "…"}` in a sys.config),
an Azure Resource Manager parameters file (`"adminPassword": {"value": "…"}`) and a
CloudFormation parameter's default in JSON (`"DBPassword": {…, "Default": "…"}`); and a
constant, PHP's `define('DB_PASSWORD', '…')` (wp-config.php's keys and salts), C's and
C++'s `#define WIFI_PASSWORD "…"` (a wide, UTF-8 or Arduino's flash string's too),
Erlang's `-define(DB_PASSWORD, "…").` and Clojure's `(def db-password "…")`.
contexts.py runs them and judges each value by its name (context_values.context_value)."""

from __future__ import annotations

import re

from bot.secrets.patterns import LINE_PREFIX, MAX_VALUE, QUOTED_ARGUMENT, TokenPattern

KEYED_FORM = "secret in a platform's key/value form"
SECRET_CONSTANT = "secret constant"

_NAME = r"(?P<name>[\w.\-]{1,80})"
_TEXT = rf"(?P<v>[^<\s][^<\n]{{0,{MAX_VALUE}}}?)"
# Before _NAME: it holds one of the words a secret's name does (the lines _on_secret_lines
# runs on hold one of them).
_SECRET_NAMED = r"(?=[\w.\-]{0,80}?(?i:pass|pwd|secret|token|key))"


def _on_secret_lines(regex: str) -> TokenPattern:
    """A form that opens with no literal of its own, run on the lines that name a secret."""
    return TokenPattern(
        KEYED_FORM,
        re.compile(regex),
        keywords=("pass", "pwd", "secret", "token", "key"),
        on_keyword_lines=True,
    )


def _json_member(field: str, before: str) -> TokenPattern:
    """`"<secret's name>": {…, "<field>": "<value>"}`, `before` what may come between the
    brace and the field."""
    return TokenPattern(
        KEYED_FORM,
        re.compile(
            r"\"" + _SECRET_NAMED + _NAME + r"\"\s*:\s*\{" + before + rf"\"{field}\"\s*:\s*"
            rf"\"(?P<v>[^\"\\\n]{{1,{MAX_VALUE}}})\""
        ),
        keywords=(f'"{field.lower()}"',),
    )


KEYED_PATTERNS: tuple[TokenPattern, ...] = (
    TokenPattern(
        KEYED_FORM,
        re.compile(r"<entry\s+key=[\"']" + _NAME + r"[\"']\s*>" + _TEXT + r"</entry>"),
        keywords=("<entry",),
    ),
    TokenPattern(
        KEYED_FORM,
        re.compile(
            r"<key>"
            + _NAME
            + r"</key>[ \t]*(?:\r?\n"
            + LINE_PREFIX
            + r")?[ \t]*<string>"
            + _TEXT
            + r"</string>"
        ),
        keywords=("<key>",),
    ),
    # .NET's application settings (app.config, Settings.settings): `<setting name="ApiKey"
    # serializeAs="String">` then `<value>…</value>`, on the line below as Visual Studio
    # writes it.
    TokenPattern(
        KEYED_FORM,
        re.compile(
            r"<setting\s+name=[\"']"
            + _NAME
            + r"[\"'][^>\n]{0,120}>[ \t]*(?:\r?\n"
            + LINE_PREFIX
            + r")?[ \t]*<value>"
            + _TEXT
            + r"</value>"
        ),
        keywords=("<setting",),
    ),
    # Hadoop's configuration files (core-site.xml, hive-site.xml, Oozie's, HBase's):
    # `<name>fs.s3a.secret.key</name>` then `<value>…</value>`, on the next line as they are
    # written, or the same.
    TokenPattern(
        KEYED_FORM,
        re.compile(
            r"<name>[ \t]*"
            + _NAME
            + r"[ \t]*</name>[ \t]*(?:\r?\n"
            + LINE_PREFIX
            + r")?[ \t]*<value>"
            + _TEXT
            + r"</value>"
        ),
        keywords=("<name>",),
    ),
    # An Azure Resource Manager parameters file: `"adminPassword": { "value": "…" }`, on
    # one line or over three; a CloudFormation parameter in JSON: `"DBPassword": {"Type":
    # "String", "NoEcho": "true", "Default": "…"}` (YAML's is parameter_defaults.py's).
    _json_member("value", r"\s*"),
    _json_member("Default", r"[^{}]{0,400}?"),
    TokenPattern(
        KEYED_FORM,
        re.compile(
            r"buildConfigField\s*\(?\s*[\"']String[\"']\s*,\s*[\"']" + _NAME + r"[\"']\s*,\s*"
            rf"[\"']\\?\"(?P<v>[^\"\\\n]{{1,{MAX_VALUE}}})\\?\"[\"']"
        ),
        keywords=("buildconfigfield",),
    ),
    TokenPattern(
        KEYED_FORM,
        re.compile(
            r"resValue\s*\(?\s*[\"']string[\"']\s*,\s*[\"']"
            + _NAME
            + r"[\"']\s*,\s*"
            + QUOTED_ARGUMENT
        ),
        keywords=("resvalue",),
    ),
    # An element named by its `name` or `key` attribute, its text the value
    # (`<parameter name="password">…</parameter>`, `<option name="secret">…</option>`);
    # only on the lines that hold such an attribute, and only a name that holds a secret's
    # word (`<string name="delete_credential">` is an Android app's button). Not C#'s and
    # VB's documentation comments' `<param name="password">…</param>` (a `<param>` in a
    # configuration has a `value`).
    TokenPattern(
        KEYED_FORM,
        re.compile(
            r"<(?!(?:type)?param\b)(?P<tag>[A-Za-z][\w:.\-]{0,40})\s+"
            r"(?:[\w:\-]+=[\"'][^\"'\n]{0,80}[\"']\s+)?"
            r"(?:name|key)=[\"']"
            + _SECRET_NAMED
            + _NAME
            + r"[\"'][^>\n]{0,120}(?<!/)>"
            + _TEXT
            + r"</(?P=tag)>"
        ),
        keywords=('name="', "name='", 'key="', "key='"),
        on_keyword_lines=True,
    ),
    # Clojure's and EDN's maps: a keyword, a space, a string (`{:db-password "…"}` in a
    # config.edn); only on the lines that name a secret.
    _on_secret_lines(
        # (the colon first, then what stands before it: a literal to skip to)
        r":(?<![\w:]:)(?P<name>[A-Za-z][\w.\-]{0,60})[ \t]+"
        rf"\"(?P<v>[^\"\n]{{1,{MAX_VALUE}}})\""
    ),
    # An atom and a string (a charlist, or an Elixir binary `<<"…">>`); only on the lines
    # that name a secret.
    _on_secret_lines(
        r"\{\s*:?(?P<name>[a-z]\w{0,60})\s*,\s*(?:<<)?\"(?P<v>[^\"\n]"
        rf"{{1,{MAX_VALUE}}})\"(?:>>)?\s*\}}"
    ),
)


CONSTANT_PATTERNS: tuple[TokenPattern, ...] = (
    TokenPattern(
        SECRET_CONSTANT,
        re.compile(
            r"define\(\s*[\"'](?P<name>\w[\w.\-]*)[\"']\s*,\s*" + QUOTED_ARGUMENT + r"\s*\)"
        ),
        keywords=("define(",),
    ),
    TokenPattern(
        SECRET_CONSTANT,
        re.compile(
            r"#[ \t]*define[ \t]+(?P<name>[A-Za-z_]\w*)[ \t]+(?:L|u8|u|U|(?:_T|TEXT|F|PSTR)\(\s*)?"
            + QUOTED_ARGUMENT
        ),
        keywords=("define",),
    ),
    # Erlang's macro, `-define(DB_PASSWORD, "…").`, and Clojure's var, `(def db-password
    # "…")` (`defonce`, and a `^:private` or `^String` hint before the name).
    TokenPattern(
        SECRET_CONSTANT,
        re.compile(r"-define\(\s*(?P<name>\w+)\s*,\s*" + QUOTED_ARGUMENT + r"\s*\)"),
        keywords=("-define(",),
    ),
    TokenPattern(
        SECRET_CONSTANT,
        re.compile(
            r"\(def(?:once)?\s+(?:\^:?\w+\s+)*(?P<name>[A-Za-z][\w*+!?<>-]{0,60})\s+"
            + QUOTED_ARGUMENT
            + r"\s*\)"
        ),
        keywords=("(def ", "(defonce "),
    ),
)
