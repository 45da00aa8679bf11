"""Where candidate secrets are in a text, line by line: AWS secret keys,
values assigned to secret-ish names, detect-secrets' vendor and entropy plugins. Each
finder returns candidates (spans, a kind, a priority); detect.py runs them on the lines
its prefilters picked and decides which candidates stand. (Key blocks, which span lines,
are key_blocks.py's.)"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.secrets import names, paths, references, rules, wording
from bot.secrets.code_literals import declares_char_array, in_comment, no_expression
from bot.secrets.long_lines import named_operators, search_near
from bot.secrets.name_before import bound_attribute, closes_its_string
from bot.secrets.passphrases import described
from bot.secrets.patterns import (
    ASSIGNMENT,
    AWS_SECRET,
    GITLEAKS_PEERS,
    IN_QUOTES,
    MAX_VALUE,
    PLAIN_ASSIGNMENT,
    WRAPPER,
)
from bot.secrets.value_ends import (
    Flow,
    SettingEnds,
    before_next_setting,
    closing_mark,
    in_set_list,
    plain_scalar,
    quoted_value,
    reach,
    to_space,
)

SWITCHYARD = "switchyard"
# A line's values past its judging budget (assignments), masked without a judgement.
UNJUDGED = "switchyard-unjudged"
# Which of two overlapping candidates wins: lower first. RANK_NAMED: a value known by the
# secret's name before it in a syntax of its own (a flag), which names it better than an
# assignment's reading of the same text does, and worse than a format.
RANK_PRIVATE_KEY, RANK_TOKEN, RANK_PLUGIN_TOKEN, RANK_NAMED = range(4)
RANK_ASSIGNED, RANK_GENERIC, RANK_ENTROPY = range(4, 7)
_FRENCH_PASSWORD = re.compile(r"(?i)(?<![\w])mot[ _-]de[ _-]\Z")
_ENV_STYLE = re.compile(r"[A-Z][A-Z0-9_]*=[^\s=]")


def assigned_peers(name: str | None) -> tuple[str, ...] | None:
    """The gitleaks rules whose allow-lists a value a construct names takes: an
    assignment's (its stopwords and shapes) where the name is not a password's."""
    return GITLEAKS_PEERS["secret assignment"] if name and not names.key_is_password(name) else None


@dataclass(slots=True)
class Candidate:
    start: int
    end: int
    kind: str
    priority: int
    detector: str
    parts: tuple[tuple[int, int], ...] | None = None
    # The gitleaks rules whose allow-lists apply, where not the kind's (GITLEAKS_PEERS): a
    # value a construct names as an assignment does is judged as an assignment is.
    peers: tuple[str, ...] | None = None


def aws_secrets(line: str, base: int) -> list[Candidate]:
    out: list[Candidate] = []
    for m in AWS_SECRET.finditer(line):
        s, e = m.span(1)
        if not rules.token_is_placeholder(m.group(1)):
            out.append(Candidate(base + s, base + e, "AWS secret key", RANK_TOKEN, SWITCHYARD))
    return out


# Between two string literals joined by `+` (`"a=" + f(x) + "b"`).
_CONCATENATED = re.compile(r"^\s*\+\s|\s\+\s*$|^\+[\w.$]+[(+]$")


# Several names assigned at once, starting a statement (`user, password = "a", "b"`, Go's
# `u, p := …`, `[a, b] = […]`); a call's `f(user, password="x")` is not one.
_UNPACK = re.compile(
    r"\s*(?:(?:var|let|const|val|local)\s+)?\[?"
    r"(?P<names>[A-Za-z_$@][\w.$@]*(?:\s*,\s*[A-Za-z_$@][\w.$@]*)+)\]?"
    # Go's `var user, pass string = "…", "…"` names the type before the values.
    r"(?:[ \t]+\*?[A-Za-z_][\w.\[\]]*)?\s*(?::=|=)(?![=>])"
)
# (Go's `key, err := hex.DecodeString("…")` gives the first name the decoded literal.
# The spaces around an opening `[` read once: split every way between the two runs, 8,000
# spaces before a `[` and no literal took seconds; found by bench/secrets_fuzz.py.)
_LITERAL = re.compile(
    r"\s*+\[?\s*+(?:" + WRAPPER + r")?(?P<q>[\"'])(?P<v>" + IN_QUOTES + r"*)(?P=q)\s*"
)


def _unpacked_value(line: str, pos: int, index: int) -> tuple[int, int] | None:
    """The span of the `index`-th of the comma-separated string literals from `pos`, or
    None where the values are not all literals up to it (`a, b = f(), "x"`)."""
    for i in range(index + 1):
        lit = _LITERAL.match(line, pos)
        if lit is None:
            return None
        if i == index:
            return lit.span("v")
        pos = lit.end()
        if not line.startswith(",", pos):
            return None
        pos += 1
    return None


def _unpacked(
    unpack: re.Match[str], base: int, config: bool, test: bool, bare_key: bool
) -> list[Candidate]:
    """`login, password = 'dev@example.com', 'Tq6v…'`: each secret name with the literal at
    its own place, not the first one after `=` (with `bare_key`, each plain `key`)."""
    line = unpack.string
    out: list[Candidate] = []
    for i, key in enumerate(n.strip() for n in unpack.group("names").split(",")):
        if not (names.key_is_bare_key(key) if bare_key else names.key_is_secretish(key)):
            continue
        place = _unpacked_value(line, unpack.end(), i)
        if place is None:
            continue
        s, e = place
        if bare_key and not rules.random_key_value(line[s:e]):
            continue  # a plain `key` holds a secret only when its value is random
        if rules.assigned_value_ok(
            key, line[s:e], quoted=True, config=config, env_style=False, test=test
        ):
            kind = "password assignment" if names.key_is_password(key) else "secret assignment"
            out.append(Candidate(base + s, base + e, kind, RANK_ASSIGNED, SWITCHYARD))
    return out


_OTHER_QUOTE = {'"': "'", "'": '"', "`": '"'}
# An Authorization scheme's word before the token it carries.
_SCHEME_WORD = re.compile(r"[A-Za-z][\w-]{1,30} +(?=\S+$)")


def assignments(
    line: str,
    base: int,
    path: str | None,
    config: bool,
    test: bool,
    *,
    bare_key: bool = False,
    code: bool = False,
) -> list[Candidate]:
    """Secrets assigned to secret-ish names. With `bare_key`, instead: random-looking values
    of 20+ characters assigned to a plain `key` (`Key=qsCG…`, `app_key: …`), a name too
    common in code to count on its own (cache keys, dict keys, i18n keys are not random).
    `code`: the line is source code whatever its path says (a notebook's code cell)."""
    out: list[Candidate] = []
    if "=" not in line and ":" not in line and "<-" not in line:
        return out  # every operator the patterns know holds one of these
    unpack = _UNPACK.match(line)
    if unpack is not None:
        out.extend(_unpacked(unpack, base, config, test, bare_key))
    code = code or paths.is_code_path(path)
    pattern = PLAIN_ASSIGNMENT if path is not None and not code else ASSIGNMENT
    pos = 0
    judged, budget = 0, _JUDGED_MIN + _JUDGED_PER_CHAR * len(line)
    setting_ends = SettingEnds(line, paths.line_value_kind(path))
    set_lists = "--set" in line  # (Helm's: what ends a value in one, value_ends.in_set_list)
    in_flow = Flow(line)
    ops = named_operators(line)
    while (m := search_near(pattern, line, pos, ops)) is not None:
        pos = m.end()
        key = m.group("key")
        quoted = m.group("q") is not None
        code_literal = scalar = False
        group = "qv" if quoted else "uv"
        value = m.group(group)
        s, e = m.span(group)
        if quoted and (read := quoted_value(line, s, e, m.group("q"), m.group("raw"), code)):
            value, e = read
            pos = e + 1
        if quoted and ("\\" + m.group("q") in value or _OTHER_QUOTE[m.group("q")] in value):
            # `body = "{\"token\":\"…\"}"`, `body = '{"token": "…"}'`: the literal holds
            # assignments of its own
            pos = s
        elif _INNER_SETTING.match(value):
            # `web: API_KEY=… node index.js` (a Procfile), `args: TOKEN=…`, systemd's
            # `Environment="DB_PASSWORD=…"`: the value opens with a setting of its own,
            # whatever brackets the setting's value holds.
            pos = s
        elif (
            not quoted
            and not names.may_be_secretish(key)
            and (pair := _PAIRED_NAME.search(value)) is not None
        ):
            # `Username:master/Password:…`, `ID:master/PW:…`: a user and a password told as
            # one pair apart by `/`; the user's value ran on over the password's name
            pos = s + pair.end()
        elif not quoted and (opening := _OPENING.search(value)) is not None:
            # `c = Client(api_key='…')`, `want := &Config{Token: String("…")}`: a call's
            # arguments, a composite literal's fields (`${NAME:default}` is a reference).
            pos = s + opening.end()
        if unpack is not None and m.start() < unpack.end():
            continue  # one of several names assigned at once: `_unpacked` pairs them up
        if line.startswith("[", m.end("key")) and not declares_char_array(line, m.start("key")):
            continue  # `tokens[0] = "…"` indexes a list: only a C string's array declares
        if line.endswith("${", 0, m.start("key")):
            continue  # `${PASSWORD:-…}`, `${PASSWORD:+word}`: a reference (contexts.py's)
        if quoted and bound_attribute(line, m) and rules.is_identifier_chain(value):
            continue  # Angular's `[password]="userPassword"`, Vue's `:password="…"`: code
        if key.lower() == "passe" and _FRENCH_PASSWORD.search(line, 0, m.start("key")):
            key = "mot_de_passe"  # French's "Mot de passe : …", the name in three words
        if not names.may_be_secretish(key):
            continue  # (a bare `key` holds "key" too)
        judged += e - s  # (and below, what a check reads past `e`)
        if judged > budget:
            rest = len(line.rstrip())
            out.append(Candidate(base + s, base + rest, _kind(key), RANK_ASSIGNED, UNJUDGED))
            break
        listed = set_lists and in_set_list(line, m.start("key"))  # (a `--set` list's setting)
        if bare_key:
            if not (names.key_is_bare_key(key) and rules.random_key_value(value)):
                continue
        elif not names.key_is_secretish(key):
            continue
        if quoted:
            env_style = False
            if closes_its_string(line, m):
                continue  # `expect "Password:" { send "…" }`: a prompt's text, not a name
            if m.group("q") == "`" and references.backticks_run(value, path):
                continue  # a shell's command substitution, a template (not Go's raw string)
            if _CONCATENATED.search(value):
                continue  # `"&password=" + escape(x) + "`, `"&pwd="+f("pwd")`: two literals' quotes
            if m.group("op") in ("==", "===") and not rules.looks_random(value):
                continue  # `if token == "keyword"`: comparing with a name, not a secret
        else:
            if m.group("op") in ("==", "==="):
                continue
            env_style = _ENV_STYLE.match(m.group(0)) is not None
            # Outside source code (a .txt, a log, a file without a suffix) `name: value` and
            # `name=value` are settings, as in a config file; in code an unquoted value is
            # an expression. Text without a path (an answer, a comment) keeps that rule but
            # for drawn values (below).
            plain = path is not None and not code
            if (config or plain or path is None) and not in_flow(m.start()):
                # `password: Qm#3DU]pP8a=CK}`: a YAML plain scalar or a properties value runs
                # on past `#`, `]` and `}`, and so does a drawn value in text without a path
                # (`pass: U%~Yu9s^H#0OJ!E` in a description); masked to where the pattern
                # stopped, the rest was sent. A literal, judged as a quoted one.
                longer = plain_scalar(line, s, e, listed)
                judged += to_space(line, s, e) - e  # (what it read, kept or not)
                if longer > e and not (
                    path is None and not config and _closers_only(line[e:longer])
                ):
                    value, e, scalar = line[s:longer], longer, True
            # Without a path, a machine-made value is a literal even where it could parse as
            # a name (`api_key=o9ynnj1wfw33a50g9009ti0ne1kqe8ac` in a log line), and so is a
            # drawn password (`password: Xk9mQ2zLp7wR` in a description is no annotation).
            config = (
                config
                or plain
                or (path is None and (rules.generated(value) or wording.interleaved(value)))
            )
            if not (
                config or (path is None and (env_style or not rules.is_identifier_chain(value)))
            ):
                # In code, unless no program reads the value as code: a commented-out
                # `# API_TOKEN = 3c88e4…`, a docstring's `export TOKEN=…` (judged as a literal).
                if not no_expression(value) and not (
                    no_expression(value, commented=True) and in_comment(line, m.start())
                ):
                    continue  # (the comment asked last: a long line's search is not free)
                code_literal = True
        if not quoted and described(key, line[s : reach(line, s)].strip()):
            continue  # `DOMAIN_PASSWORD= WebLogic admin user for the domain`: a description
        # (where an unquoted value that stopped at a bracket or `#` meets the next space)
        space = to_space(line, s, e)
        if not quoted and config and space - s <= _SLOT_MAX:
            judged += space - e
            if references.is_reference(line[s:space]):
                continue  # `DB_PASSWORD={password}`: a slot the pattern cut at its `}`
        if not quoted and line[e : e + 1] in _STATEMENT_ENDS and _variable(value):
            # `payload.password = hashedPassword;`, `{password: hashedPassword}` in a
            # document's code block
            continue
        literal = quoted or code_literal or scalar
        # an unquoted config value outside a flow mapping: it may run to its line's end
        setting = not quoted and config and not in_flow(m.start())
        whole_end = e
        if setting:
            whole_end = setting_ends(m.start("key"), e)
        if quoted and (scheme := _SCHEME_WORD.match(value)) is not None:
            token = value[scheme.end() :]
            if not names.key_is_password(key) and rules.generated(token):
                # `api_key = "Key …"`, `auth = "SSWS …"`: a header's scheme and its token
                # kept together; a token's name holds no words, so the token is judged.
                value, s = token, s + scheme.end()
        if quoted and "\\" in value:
            value = _ESCAPE.sub(r"\1", value)  # judged as the program reads it: `it\'s`
        elif not quoted and value.endswith("\\n"):
            # a line of text kept in a JSON string (a notebook's printed output,
            # `"Pass@5: 80.92%\n",`): its line end, escaped, is not the value's
            value = _ESCAPED_LINE_END.sub("", value) or value
        ok = rules.assigned_value_ok(
            key, value, quoted=literal, config=config, env_style=env_style, test=test
        )
        if not ok and whole_end > e and names.key_is_password(key):
            # `password = Xk9m QvL8 pR4t`: a password with a space, judged whole
            judged_end = min(whole_end, reach(line, s))  # (judged to its reach, masked whole)
            judged += judged_end - e
            ok = rules.assigned_value_ok(
                key,
                line[s:judged_end],
                quoted=False,
                config=config,
                env_style=env_style,
                test=test,
            )
        if not ok:
            continue
        if setting:
            # Judged on the part the pattern took; masked to the next space, the rest of a
            # value with `(`, `,` or `>` in it (`password: JB2m?J7,(x`) would be sent, and
            # from a `>` the `=>` took (`PASS=>rp2A…` in a .env file); where a file holds
            # a setting to its line's end, to there.
            if listed:
                space = before_next_setting(line, e, space)
            e = max(space, whole_end)
            if m.group("op") == "=>" and line[s - 1] == ">":
                s -= 1
            e = closing_mark(line, m.start("key"), s, e)
        out.append(Candidate(base + s, base + e, _kind(key), RANK_ASSIGNED, SWITCHYARD))
    return out


# How many characters of values one line's assignments may judge (real lines judge at most
# about one and a half times their length) before the rest of the line, from the value
# that went past it, is masked unjudged (fail closed). A value that opens with a setting
# of its own is read again from there (`web: API_KEY=…`), so on a line of one setting
# repeated without a space (`password=password=…`, untrusted text in a pull request)
# every value ran on for MAX_VALUE characters: judging them all took minutes for 100 KB.
_JUDGED_PER_CHAR = 4
_JUDGED_MIN = 4 * MAX_VALUE
# A template's slot that the pattern cut at a bracket runs on to the next space within
# this many characters (`{password}`, `<%= pw %>`): a JSON line without a space has
# kilobytes after each unquoted `{`, which no slot is.
_SLOT_MAX = 256


def _kind(key: str) -> str:
    return "password assignment" if names.key_is_password(key) else "secret assignment"


_STATEMENT_ENDS = frozenset(";,})")


def _variable(value: str) -> bool:
    """A name that names a secret (`hashedPassword`, `new_token`), with no digit and
    written as code names are (lower-case first or dotted): a statement's variable."""
    return (
        rules.is_identifier_chain(value)
        and names.key_is_secretish(value)
        and not any(c.isdigit() for c in value)
        and (value[0].islower() or "." in value)
    )


_INNER_SETTING = re.compile(r"[A-Za-z_][\w.-]{0,80}=")
_PAIRED_NAME = re.compile(r"/[ \t]*(?=[A-Za-z][\w -]{0,40}?[ \t]*[:=])")
_CLOSERS = re.compile(r"[)\]}:,;]+")


def _closers_only(run: str) -> bool:
    """What an unquoted value ran on to is only brackets closing and punctuation: in text
    without a path, `def f(password: SecretStr2): ...` annotates a parameter; a drawn
    value's own characters go on past them (`U%~Yu9s^H#0OJ!E`)."""
    return _CLOSERS.fullmatch(run) is not None


_OPENING = re.compile(r"\(|(?<![$#{])\{(?!\{)")
_ESCAPE = re.compile(r"\\(.)")
_ESCAPED_LINE_END = re.compile(r"(?:\\r)?\\n$")
