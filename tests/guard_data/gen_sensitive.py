# ruff: noqa: RUF001  (multilingual keywords and samples: fullwidth colons, Cyrillic, CJK are intended)
"""Labelled samples for the sensitive-data scanner (``tokenway.guard.sensitive``).

``generate(n, seed)`` returns ``n`` deterministic samples. About half are *valid* items, each
checksum-valid (or valid by the detector's published rules: phonenumbers metadata, SSN
area/group/serial, NINO prefixes) and embedded in a varied context: chat sentences in English,
Chinese, Spanish, German, French, Japanese and Russian, JSON records, CSV tables, code and config
files. The other half are *look-alikes* that must not be flagged: the same kinds of ids with one
digit changed (re-checked to be invalid), published test card numbers, SSNs in never-issued
ranges, order and tracking numbers, version strings, UUIDs, hex hashes, timestamps, phone-like
product codes, placeholder API keys, public keys / certificates, masked passwords and password
references in code.

Each sample lists its ``expected`` items as ``(detector, start, end)``; look-alikes have none.
Ids that the scanner reports only with context (Aadhaar, My Number, DE IdNr, plain CPF/RRN/SSN,
NINO, national-format phone numbers) carry a label in their sentence, JSON key or CSV header, as
such numbers do in real text; the generator never emits a bare weak id as a positive.

    .venv/bin/python -m tests.guard_data.gen_sensitive 20     # print 20 samples
"""

from __future__ import annotations

import base64
import json
import random
import string
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType
from stdnum import iban as std_iban
from stdnum import verhoeff
from stdnum.br import cpf as std_cpf
from stdnum.cn import ric as std_ric
from stdnum.de import idnr as std_idnr
from stdnum.es import dni as std_dni
from stdnum.es import nie as std_nie
from stdnum.fr import nir as std_nir
from stdnum.in_ import aadhaar as std_aadhaar
from stdnum.iso7064 import mod_11_10
from stdnum.it import codicefiscale as std_cf
from stdnum.jp import in_ as std_jp_in
from stdnum.kr import rrn as std_rrn
from stdnum.us import ssn as std_ssn

LANGS = ("en", "zh", "es", "de", "fr", "ja", "ru")


@dataclass(frozen=True, slots=True)
class Sample:
    text: str
    expected: tuple[tuple[str, int, int], ...]  # (detector, start, end)
    label: str  # the generator item, e.g. "card", "lookalike:order_number"
    context: str  # "chat:de", "json", "csv", "code", ...

    @property
    def detectors(self) -> frozenset[str]:
        return frozenset(d for d, _, _ in self.expected)

    @property
    def valid(self) -> bool:
        return bool(self.expected)


# --- value makers (valid) ---------------------------------------------------------------------

R = random.Random
_FIRST = ("maria", "john", "li", "ana", "lukas", "chloe", "yuki", "ivan", "priya", "omar", "sofia", "kenji")
_LAST = ("garcia", "smith", "wang", "silva", "muller", "martin", "sato", "petrov", "sharma", "haddad", "rossi")
_DOMAINS = ("example.com", "mail.example.org", "corp.example.net", "gmail.com", "outlook.de", "yahoo.co.jp",
            "company.fr", "uni-heidelberg.de", "qq.com", "yandex.ru", "empresa.es")  # fmt: skip


def _digits(rng: R, n: int, first_nonzero: bool = False) -> str:
    out = "".join(rng.choice(string.digits) for _ in range(n))
    if first_nonzero and out[0] == "0":
        out = str(rng.randint(1, 9)) + out[1:]
    return out


def _luhn_complete(body: str) -> str:
    for d in string.digits:
        cand = body + d
        total = 0
        for i, ch in enumerate(reversed(cand)):
            v = int(ch)
            if i % 2:
                v *= 2
                v -= 9 if v > 9 else 0
            total += v
        if total % 10 == 0:
            return cand
    raise AssertionError


def _luhn_ok(number: str) -> bool:
    return _luhn_complete(number[:-1]) == number


_CARD_BRANDS: tuple[tuple[str, int], ...] = (
    ("4", 16), ("4", 16), ("4", 13), ("51", 16), ("55", 16), ("2221", 16), ("2720", 16), ("34", 15),
    ("37", 15), ("6011", 16), ("65", 16), ("3528", 16), ("3589", 16), ("36", 14), ("62", 16), ("62", 19),
    ("2200", 16), ("6759", 16),
)  # fmt: skip


def make_card(rng: R) -> str:
    while True:
        prefix, n = rng.choice(_CARD_BRANDS)
        number = _luhn_complete(prefix + _digits(rng, n - len(prefix) - 1))
        if len(set(number)) >= 5:
            break
    if n == 15 and rng.random() < 0.6:
        return f"{number[:4]} {number[4:10]} {number[10:]}"
    style = rng.random()
    if style < 0.4:
        return number
    sep = " " if style < 0.8 else "-"
    return sep.join(number[i : i + 4] for i in range(0, n, 4))


_PHONE_INTL_REGIONS = ("US", "GB", "DE", "FR", "ES", "IT", "CN", "IN", "BR", "JP", "KR", "RU", "AU", "MX",
                       "NL", "SE", "CA", "CH", "PL", "AR")  # fmt: skip
_PHONE_NATIONAL_REGIONS = ("US", "GB", "DE", "FR", "ES", "IT", "CN", "IN", "BR", "JP", "KR")


def _phone_number(rng: R, region: str) -> phonenumbers.PhoneNumber:
    kind = rng.choice((PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE))
    ex = phonenumbers.example_number_for_type(region, kind) or phonenumbers.example_number(region)
    assert ex is not None
    nsn = str(ex.national_number)
    keep = max(3, len(nsn) - 5)
    for _ in range(200):
        cand = nsn[:keep] + _digits(rng, len(nsn) - keep)
        num = phonenumbers.parse(f"+{ex.country_code}{cand}")
        if phonenumbers.is_valid_number(num):
            return num
    return ex


def make_phone_intl(rng: R) -> str:
    num = _phone_number(rng, rng.choice(_PHONE_INTL_REGIONS))
    fmt = PhoneNumberFormat.E164 if rng.random() < 0.25 else PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(num, fmt)


def make_phone_national(rng: R) -> str:
    while True:
        num = _phone_number(rng, rng.choice(_PHONE_NATIONAL_REGIONS))
        text = phonenumbers.format_number(num, PhoneNumberFormat.NATIONAL)
        if sum(ch.isdigit() for ch in text) >= 9:  # the scanner's documented minimum
            return text


_IBAN_BBAN = {  # country: structure (n digit, a upper letter, c alphanumeric), no country-specific check
    "DE": "8n10n", "GB": "4a6n8n", "FR": "5n5n11c2n", "IT": "1a5n5n12c", "NL": "4a10n", "AT": "5n11n",
    "CH": "5n12c", "PL": "8n16n", "PT": "4n4n11n2n", "SE": "3n16n1n", "IE": "4a6n8n", "DK": "4n9n1n",
}  # fmt: skip


def make_iban(rng: R) -> str:
    cc = rng.choice(sorted(_IBAN_BBAN))
    structure = _IBAN_BBAN[cc]
    bban = ""
    num = ""
    for ch in structure:
        if ch.isdigit():
            num += ch
            continue
        count = int(num)
        num = ""
        pool = {"n": string.digits, "a": string.ascii_uppercase, "c": string.digits + string.ascii_uppercase}[ch]
        bban += "".join(rng.choice(pool) for _ in range(count))
    check = std_iban.calc_check_digits(cc + "00" + bban)
    value = cc + check + bban
    assert std_iban.is_valid(value), value
    return std_iban.format(value) if rng.random() < 0.6 else value


_CN_REGIONS = ("110101", "110105", "310101", "310115", "440103", "440305", "330106", "510104", "420106",
               "320102", "120101", "500103")  # fmt: skip


def make_cn(rng: R) -> str:
    while True:
        year = rng.randint(1950, 2005)
        body = f"{rng.choice(_CN_REGIONS)}{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{_digits(rng, 3)}"
        value = body + std_ric.calc_check_digit(body + "0")
        if std_ric.is_valid(value):
            return value


def make_ssn(rng: R) -> str:
    while True:
        area = rng.randint(1, 899)
        if area == 666:
            continue
        value = f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"
        if std_ssn.is_valid(value) and value.replace("-", "") not in ("123456789",):
            return value


def make_aadhaar(rng: R) -> str:
    while True:
        body = str(rng.randint(2, 9)) + _digits(rng, 10)
        value = body + verhoeff.calc_check_digit(body)
        if std_aadhaar.is_valid(value):
            return value


def make_nino(rng: R) -> str:
    first = "ABCEGHJKLMNOPRSTWXYZ"
    second = "ABCEGHJKLMNPRSTWXYZ"
    while True:
        prefix = rng.choice(first) + rng.choice(second)
        if prefix not in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"):
            break
    return prefix + _digits(rng, 6) + rng.choice("ABCD")


def make_de_idnr(rng: R) -> str:
    while True:
        digits = rng.sample(string.digits, 9)
        if digits[0] == "0":
            continue
        digits.insert(rng.randint(1, 9), rng.choice(digits))
        body = "".join(digits)
        value = body + mod_11_10.calc_check_digit(body)
        if std_idnr.is_valid(value):
            return value


def make_fr_nir(rng: R) -> str:
    while True:
        corsica = rng.random() < 0.1
        dept = rng.choice([f"{rng.randint(1, 95):02d}", "2A", "2B"] if corsica else [f"{rng.randint(1, 95):02d}"])
        if dept == "20":
            continue
        body = (
            f"{rng.choice('12')}{rng.randint(0, 99):02d}{rng.randint(1, 12):02d}{dept}"
            f"{rng.randint(1, 999):03d}{rng.randint(1, 999):03d}"
        )
        value = body + std_nir.calc_check_digits(body + "00")
        if std_nir.is_valid(value):
            return std_nir.format(value) if rng.random() < 0.5 else value


def make_es_dni(rng: R) -> str:
    body = _digits(rng, 8)
    return body + std_dni.calc_check_digit(body)


def make_es_nie(rng: R) -> str:
    body = rng.choice("XYZ") + _digits(rng, 7)
    return body + std_nie.calc_check_digit(body)


def make_it_cf(rng: R) -> str:
    while True:
        day = rng.randint(1, 28) + (40 if rng.random() < 0.5 else 0)
        body = (
            "".join(rng.choice(string.ascii_uppercase) for _ in range(6))
            + f"{rng.randint(0, 99):02d}"
            + rng.choice("ABCDEHLMPRST")
            + f"{day:02d}"
            + rng.choice(string.ascii_uppercase)
            + _digits(rng, 3)
        )
        value = body + std_cf.calc_check_digit(body)
        if std_cf.is_valid(value):
            return value


def _cpf_check(body: str) -> str:
    d1 = (11 - sum((10 - i) * int(body[i]) for i in range(9))) % 11 % 10
    d2 = (11 - sum((11 - i) * int(body[i]) for i in range(9)) - 2 * d1) % 11 % 10
    return f"{d1}{d2}"


def make_br_cpf(rng: R) -> str:
    while True:
        body = _digits(rng, 9)
        value = body + _cpf_check(body)
        if std_cpf.is_valid(value) and len(set(value)) > 1:
            return value


def make_kr_rrn(rng: R) -> str:
    while True:
        year = rng.randint(1950, 2015)
        gender = rng.choice("12") if year < 2000 else rng.choice("34")
        body = (
            f"{year % 100:02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{gender}"
            f"{rng.randint(0, 96):02d}{_digits(rng, 3)}"
        )
        value = body + std_rrn.calc_check_digit(body)
        if std_rrn.is_valid(value):
            return value


def make_jp_mynumber(rng: R) -> str:
    body = _digits(rng, 11)
    return body + std_jp_in.calc_check_digit(body)


def make_ipv4(rng: R) -> str:
    first = rng.choice((10, 172, 192, 8, 34, 52, 81, 95, 100, 151, 203))
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def make_ipv6(rng: R) -> str:
    groups = [f"{rng.randint(0, 0xFFFF):x}" for _ in range(8)]
    groups[0] = rng.choice(("2001", "2a00", "2607", "fe80", "fd12"))
    if rng.random() < 0.4:
        return f"{groups[0]}:{groups[1]}::{groups[6]}:{groups[7]}"
    return ":".join(groups)


def make_email(rng: R) -> str:
    sep = rng.choice((".", "_", "", "-"))
    local = rng.choice(_FIRST) + sep + rng.choice(_LAST)
    if rng.random() < 0.3:
        local += str(rng.randint(1, 99))
    return f"{local}@{rng.choice(_DOMAINS)}"


_B64 = string.ascii_letters + string.digits
_B64URL = _B64 + "-_"


def _rand(rng: R, n: int, alphabet: str = _B64) -> str:
    """Random token over ``alphabet`` with every character class of the alphabet present."""
    classes = [c for c in (str.isdigit, str.isupper, str.islower) if any(c(ch) for ch in alphabet)]
    while True:
        out = "".join(rng.choice(alphabet) for _ in range(n))
        if all(any(c(ch) for ch in out) for c in classes):
            return out


def make_openai(rng: R) -> str:
    if rng.random() < 0.5:
        return "sk-proj-" + _rand(rng, rng.choice((48, 74, 132)), _B64URL)
    return "sk-" + _rand(rng, 48)


def make_anthropic(rng: R) -> str:
    return "sk-ant-api03-" + _rand(rng, 93, _B64URL) + "AA"


def make_aws_key(rng: R) -> str:
    return rng.choice(("AKIA", "ASIA")) + "".join(rng.choice(string.ascii_uppercase + "234567") for _ in range(16))


def make_aws_secret(rng: R) -> str:
    return _rand(rng, 40, _B64 + "/+")


def make_github(rng: R) -> str:
    if rng.random() < 0.3:
        return "github_pat_" + _rand(rng, 22) + "_" + _rand(rng, 59)
    return rng.choice(("ghp_", "gho_", "ghs_", "ghu_")) + _rand(rng, 36)


def make_slack(rng: R) -> str:
    if rng.random() < 0.3:
        upper = string.ascii_uppercase + string.digits
        return f"https://hooks.slack.com/services/T{_rand(rng, 8, upper)}/B{_rand(rng, 10, upper)}/{_rand(rng, 24)}"
    return f"xox{rng.choice('bpa')}-{_digits(rng, 12)}-{_digits(rng, 13)}-{_rand(rng, 24)}"


def make_stripe(rng: R) -> str:
    return rng.choice(("sk_live_", "rk_live_")) + _rand(rng, rng.choice((24, 99)))


def make_private_key(rng: R) -> str:
    kind = rng.choice(("RSA ", "EC ", "OPENSSH ", "", "ENCRYPTED "))
    lines = [_rand(rng, 64, _B64 + "+/") for _ in range(rng.randint(4, 10))]
    return f"-----BEGIN {kind}PRIVATE KEY-----\n" + "\n".join(lines) + f"\n-----END {kind}PRIVATE KEY-----"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(rng: R) -> str:
    header = {"alg": rng.choice(("HS256", "RS256", "ES256")), "typ": "JWT"}
    payload = {
        "sub": str(rng.randint(1000, 99999)),
        "name": rng.choice(_FIRST).title(),
        "iat": rng.randint(1600000000, 1750000000),
    }
    sig = _b64url(bytes(rng.getrandbits(8) for _ in range(32)))
    return f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(payload).encode())}.{sig}"


def make_password(rng: R) -> str:
    words = ("Sunset", "tiger", "Maple", "rocket", "Berlin", "nebula", "Quartz", "falcon")
    word = rng.choice(words) + rng.choice(("!", "#", "_", ""))
    return word + str(rng.randint(10, 9999)) + rng.choice(("", "$", "x", "Zq"))


# --- contexts ---------------------------------------------------------------------------------

# detector -> (maker, labels by language, JSON key)
_LABELS: dict[str, dict[str, str]] = {
    "email": {
        "en": "email",
        "zh": "邮箱",
        "es": "correo",
        "de": "E-Mail",
        "fr": "adresse e-mail",
        "ja": "メールアドレス",
        "ru": "почта",
    },
    "phone": {
        "en": "phone number",
        "zh": "电话",
        "es": "teléfono",
        "de": "Telefonnummer",
        "fr": "numéro de téléphone",
        "ja": "電話番号",
        "ru": "телефон",
    },
    "card": {
        "en": "card number",
        "zh": "信用卡号",
        "es": "número de tarjeta",
        "de": "Kartennummer",
        "fr": "numéro de carte",
        "ja": "カード番号",
        "ru": "номер карты",
    },
    "iban": {
        "en": "IBAN",
        "zh": "IBAN账号",
        "es": "IBAN",
        "de": "IBAN",
        "fr": "IBAN",
        "ja": "IBAN",
        "ru": "IBAN",
    },
    "ip": {
        "en": "server IP",
        "zh": "服务器IP",
        "es": "IP del servidor",
        "de": "Server-IP",
        "fr": "IP du serveur",
        "ja": "サーバーのIP",
        "ru": "IP сервера",
    },
    "national_id.cn": {
        "en": "Chinese ID number",
        "zh": "身份证号码",
        "es": "número de identidad chino",
        "de": "chinesische Ausweisnummer",
        "fr": "numéro d'identité chinois",
        "ja": "中国の身分証番号",
        "ru": "номер китайского удостоверения",
    },
    "national_id.us_ssn": {
        "en": "SSN",
        "zh": "社会安全号码",
        "es": "número de seguro social",
        "de": "SSN",
        "fr": "numéro de sécurité sociale américain",
        "ja": "社会保障番号",
        "ru": "номер социального страхования",
    },
    "national_id.in_aadhaar": {
        "en": "Aadhaar number",
        "zh": "Aadhaar号码",
        "es": "número Aadhaar",
        "de": "Aadhaar-Nummer",
        "fr": "numéro Aadhaar",
        "ja": "Aadhaar番号",
        "ru": "номер Aadhaar",
    },
    "national_id.uk_nino": {
        "en": "National Insurance number",
        "zh": "英国国民保险号(NINO)",
        "es": "número NINO",
        "de": "National Insurance Number",
        "fr": "numéro NINO",
        "ja": "NINO",
        "ru": "номер NINO",
    },
    "national_id.de_idnr": {
        "en": "German tax ID",
        "zh": "德国税号",
        "es": "número fiscal alemán",
        "de": "Steuer-ID",
        "fr": "numéro fiscal allemand",
        "ja": "ドイツの納税者番号",
        "ru": "налоговый номер",
    },
    "national_id.fr_nir": {
        "en": "French social security number",
        "zh": "法国社保号",
        "es": "número de la seguridad social francesa",
        "de": "französische Sozialversicherungsnummer",
        "fr": "numéro de sécurité sociale",
        "ja": "フランスの社会保障番号",
        "ru": "французский номер соцстрахования",
    },
    "national_id.es_dni": {
        "en": "DNI",
        "zh": "西班牙身份证(DNI)",
        "es": "DNI",
        "de": "DNI",
        "fr": "DNI",
        "ja": "DNI",
        "ru": "DNI",
    },
    "national_id.es_nie": {
        "en": "NIE",
        "zh": "NIE号码",
        "es": "NIE",
        "de": "NIE",
        "fr": "NIE",
        "ja": "NIE",
        "ru": "NIE",
    },
    "national_id.it_cf": {
        "en": "codice fiscale",
        "zh": "意大利税号",
        "es": "codice fiscale",
        "de": "Codice Fiscale",
        "fr": "codice fiscale",
        "ja": "コディチェ・フィスカーレ",
        "ru": "codice fiscale",
    },
    "national_id.br_cpf": {
        "en": "CPF",
        "zh": "CPF号码",
        "es": "CPF",
        "de": "CPF",
        "fr": "CPF",
        "ja": "CPF番号",
        "ru": "CPF",
    },
    "national_id.kr_rrn": {
        "en": "resident registration number",
        "zh": "韩国居民登录号",
        "es": "número de registro de residente (RRN)",
        "de": "RRN",
        "fr": "numéro RRN",
        "ja": "住民登録番号",
        "ru": "номер RRN",
    },
    "national_id.jp_mynumber": {
        "en": "My Number",
        "zh": "日本个人编号(マイナンバー)",
        "es": "My Number",
        "de": "My Number",
        "fr": "My Number",
        "ja": "マイナンバー",
        "ru": "My Number",
    },
}
_KEYS: dict[str, str] = {
    "email": "email", "phone": "phone", "card": "card_number", "iban": "iban", "ip": "ip_address",
    "national_id.cn": "id_card", "national_id.us_ssn": "ssn", "national_id.in_aadhaar": "aadhaar",
    "national_id.uk_nino": "nino", "national_id.de_idnr": "steuer_id", "national_id.fr_nir": "nir",
    "national_id.es_dni": "dni", "national_id.es_nie": "nie", "national_id.it_cf": "codice_fiscale",
    "national_id.br_cpf": "cpf", "national_id.kr_rrn": "rrn", "national_id.jp_mynumber": "my_number",
}  # fmt: skip

_CHAT: dict[str, tuple[str, ...]] = {
    "en": (
        "Hi, my {label} is {v}, can you update my profile?",
        "{label}: {v}",
        "Please double-check this {label} for me: {v}. Thanks!",
        "I wrote down {v} as my {label} on the form — is that the right format?",
    ),
    "zh": (
        "你好，我的{label}是{v}，请帮我更新资料。",
        "{label}：{v}",
        "请核对一下这个{label}：{v}，谢谢！",
    ),
    "es": (
        "Hola, mi {label} es {v}, ¿puedes actualizar mi perfil?",
        "{label}: {v}",
        "Por favor revisa este {label}: {v}. ¡Gracias!",
    ),
    "de": (
        "Hallo, meine {label} lautet {v}, bitte im Profil aktualisieren.",
        "{label}: {v}",
        "Kannst du die {label} {v} prüfen? Danke!",
    ),
    "fr": (
        "Bonjour, mon {label} est {v}, pouvez-vous mettre à jour mon profil ?",
        "{label} : {v}",
        "Merci de vérifier ce {label} : {v}.",
    ),
    "ja": (
        "こんにちは、私の{label}は{v}です。プロフィールを更新してください。",
        "{label}：{v}",
        "この{label}を確認してください：{v}",
    ),
    "ru": (
        "Здравствуйте, мой {label}: {v}, обновите профиль, пожалуйста.",
        "{label}: {v}",
        "Проверьте, пожалуйста, {label} {v}. Спасибо!",
    ),
}
_FILLER: dict[str, tuple[str, ...]] = {
    "en": (
        "Thanks in advance.",
        "I need this before the meeting on Friday.",
        "The rest of the form is done.",
        "Sorry for the long message!",
    ),
    "zh": (
        "提前谢谢。",
        "周五开会前需要。",
        "其他信息都填好了。",
    ),
    "es": (
        "Gracias de antemano.",
        "Lo necesito antes de la reunión del viernes.",
    ),
    "de": (
        "Vielen Dank im Voraus.",
        "Ich brauche das vor dem Termin am Freitag.",
    ),
    "fr": (
        "Merci d'avance.",
        "J'en ai besoin avant la réunion de vendredi.",
    ),
    "ja": (
        "よろしくお願いします。",
        "金曜日の会議までに必要です。",
    ),
    "ru": (
        "Заранее спасибо.",
        "Это нужно до встречи в пятницу.",
    ),
}
_NAMES = ("Ana Ruiz", "Li Wei", "Lukas Braun", "Chloé Martin", "Yuki Sato", "Ivan Petrov", "Priya Nair", "John Smith")
_CITIES = ("Madrid", "Beijing", "Berlin", "Lyon", "Osaka", "Moscow", "Pune", "Austin")


class _Builder:
    """Assembles a text from parts and records the spans of the sensitive values."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.expected: list[tuple[str, int, int]] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)

    def value(self, text: str, detector: str | None, sub: tuple[int, int] | None = None) -> None:
        if detector is not None:
            a, b = sub if sub is not None else (0, len(text))
            self.expected.append((detector, self.size + a, self.size + b))
        self.add(text)

    def template(self, template: str, value: str, detector: str | None, **kw: str) -> None:
        head, _, tail = template.partition("{v}")
        self.add(head.format(**kw))
        self.value(value, detector)
        self.add(tail.format(**kw))

    def text(self) -> str:
        return "".join(self.parts)


def _chat(rng: R, b: _Builder, det: str | None, label_det: str, value: str) -> str:
    lang = rng.choice(LANGS)
    label = _LABELS[label_det][lang]
    if rng.random() < 0.3:
        b.add(rng.choice(_FILLER[lang]) + " ")
    b.template(rng.choice(_CHAT[lang]), value, det, label=label)
    if rng.random() < 0.3:
        b.add(" " + rng.choice(_FILLER[lang]))
    return f"chat:{lang}"


def _json(rng: R, b: _Builder, det: str | None, key: str, value: str) -> str:
    b.add("{" + f'"name": "{rng.choice(_NAMES)}", "{key}": "')
    b.value(value, det)
    b.add(f'", "city": "{rng.choice(_CITIES)}", "updated_at": "2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"' + "}")
    return "json"


def _csv(rng: R, b: _Builder, det: str | None, key: str, values: list[str]) -> str:
    delim = rng.choice((",", ";", "\t", "|"))
    b.add(delim.join(("name", key, "city")) + "\n")
    for v in values:
        b.add(rng.choice(_NAMES) + delim)
        b.value(v, det)
        b.add(delim + rng.choice(_CITIES) + "\n")
    return "csv"


def _code(rng: R, b: _Builder, det: str | None, key: str, value: str) -> str:
    style = rng.randint(0, 2)
    if style == 0:
        b.add(f'user = {{"name": "{rng.choice(_NAMES)}", "{key}": "')
        b.value(value, det)
        b.add('"}\nsave(user)\n')
    elif style == 1:
        b.add(f"INSERT INTO customers (name, {key}) VALUES ('{rng.choice(_NAMES)}', '")
        b.value(value, det)
        b.add("');\n")
    else:
        b.add(f"const {key} = '")
        b.value(value, det)
        b.add("';\nconsole.log(`loaded`);\n")
    return "code"


def _pii_sample(rng: R, det: str, maker: Callable[[R], str], *, label_det: str | None = None) -> Sample:
    b = _Builder()
    where = rng.random()
    label_det = label_det or det
    key = _KEYS[label_det]
    if where < 0.55:
        ctx = _chat(rng, b, det, label_det, maker(rng))
    elif where < 0.7:
        ctx = _json(rng, b, det, key, maker(rng))
    elif where < 0.85:
        ctx = _csv(rng, b, det, key, [maker(rng) for _ in range(rng.randint(1, 3))])
    else:
        ctx = _code(rng, b, det, key, maker(rng))
    return Sample(b.text(), tuple(b.expected), det, ctx)


# secrets live in code and config more than in chat
_SECRET_TEMPLATES: dict[str, tuple[str, ...]] = {
    "secret.openai": (
        'client = OpenAI(api_key="{v}")\n',
        "OPENAI_API_KEY={v}\n",
        "My key is {v}, why does it return 401?",
        '{{"api_key": "{v}"}}',
        "export OPENAI_API_KEY='{v}'\n",
    ),
    "secret.anthropic": (
        'client = anthropic.Anthropic(api_key="{v}")\n',
        "ANTHROPIC_API_KEY={v}\n",
        "Ключ API: {v} — почему он не работает?",
        "x-api-key: {v}\n",
    ),
    "secret.aws_access_key": (
        "aws_access_key_id = {v}\n",
        "AWS_ACCESS_KEY_ID={v}\n",
        '"AccessKeyId": "{v}",',
        "我的访问密钥是 {v}，为什么被拒绝？",
    ),
    "secret.aws_secret": (
        "aws_secret_access_key = {v}\n",
        "AWS_SECRET_ACCESS_KEY={v}\n",
        '"SecretAccessKey": "{v}"',
        "aws_secret_access_key: {v}\n",
    ),
    "secret.github": (
        "git clone https://{v}@github.com/acme/app.git\n",
        "GITHUB_TOKEN={v}\n",
        "token: {v}\n",
        "Mi token de GitHub es {v}, ¿por qué falla el push?",
    ),
    "secret.slack": (
        'SLACK_WEBHOOK = "{v}"\n',
        "slack_token: {v}\n",
        "Der Bot nutzt {v} und bekommt invalid_auth.",
    ),
    "secret.stripe": (
        'stripe.api_key = "{v}"\n',
        "STRIPE_SECRET_KEY={v}\n",
        "Stripeのキー {v} が動きません。",
    ),
    "secret.private_key": (
        "{v}\n",
        'key = """{v}"""\n',
        "Here is my deploy key:\n{v}\nwhy is ssh rejecting it?",
    ),
    "secret.jwt": (
        "Authorization: Bearer {v}\n",
        "curl -H 'Authorization: Bearer {v}' https://api.example.com/me",
        '{{"token": "{v}"}}',
        "Voici mon jeton : {v}, il expire trop vite.",
    ),
}
_PASSWORD_TEMPLATES = (
    "password: {v}\n", "DB_PASSWORD={v}\n", 'password = "{v}"\n', '{{"username": "admin", "password": "{v}"}}',
    "Passwort: {v}", "mot de passe : {v}", "contraseña: {v}", "пароль: {v}", "密码：{v}", "パスワード: {v}",
    "db:\n  user: app\n  password: '{v}'\n", "postgres://app:{v}@db.internal:5432/app",
    "smtp_pwd = '{v}'\n", "client_secret: {v}\n",
)  # fmt: skip


def _secret_sample(rng: R, det: str, maker: Callable[[R], str]) -> Sample:
    b = _Builder()
    template = rng.choice(_PASSWORD_TEMPLATES if det == "secret.password" else _SECRET_TEMPLATES[det])
    value = maker(rng)
    head, _, tail = template.partition("{v}")
    if rng.random() < 0.3:
        b.add(rng.choice(("# config\n", "Can you check this?\n\n", "```\n")))
    b.add(head.replace("{{", "{").replace("}}", "}"))
    b.value(value, det)
    b.add(tail.replace("{{", "{").replace("}}", "}"))
    return Sample(b.text(), tuple(b.expected), det, "secret")


_VALID: tuple[tuple[str, Callable[[R], str], str], ...] = (
    ("email", make_email, "pii"),
    ("phone", make_phone_intl, "pii"),
    ("phone", make_phone_national, "pii"),
    ("card", make_card, "pii"),
    ("iban", make_iban, "pii"),
    ("ip", make_ipv4, "pii"),
    ("ip", make_ipv6, "pii"),
    ("national_id.cn", make_cn, "pii"),
    ("national_id.us_ssn", make_ssn, "pii"),
    ("national_id.in_aadhaar", lambda r: _group(r, make_aadhaar(r), (4, 4, 4)), "pii"),
    ("national_id.uk_nino", lambda r: _nino_fmt(r, make_nino(r)), "pii"),
    ("national_id.de_idnr", make_de_idnr, "pii"),
    ("national_id.fr_nir", make_fr_nir, "pii"),
    ("national_id.es_dni", make_es_dni, "pii"),
    ("national_id.es_nie", make_es_nie, "pii"),
    ("national_id.it_cf", make_it_cf, "pii"),
    ("national_id.br_cpf", lambda r: std_cpf.format(make_br_cpf(r)) if r.random() < 0.6 else make_br_cpf(r), "pii"),
    ("national_id.kr_rrn", lambda r: std_rrn.format(make_kr_rrn(r)) if r.random() < 0.7 else make_kr_rrn(r), "pii"),
    ("national_id.jp_mynumber", lambda r: _group(r, make_jp_mynumber(r), (4, 4, 4)), "pii"),
    ("secret.openai", make_openai, "secret"),
    ("secret.anthropic", make_anthropic, "secret"),
    ("secret.aws_access_key", make_aws_key, "secret"),
    ("secret.aws_secret", make_aws_secret, "secret"),
    ("secret.github", make_github, "secret"),
    ("secret.slack", make_slack, "secret"),
    ("secret.stripe", make_stripe, "secret"),
    ("secret.private_key", make_private_key, "secret"),
    ("secret.jwt", make_jwt, "secret"),
    ("secret.password", make_password, "secret"),
)


def _group(rng: R, digits: str, layout: tuple[int, ...]) -> str:
    if rng.random() < 0.4:
        return digits
    out, i = [], 0
    for n in layout:
        out.append(digits[i : i + n])
        i += n
    return rng.choice((" ", "-")).join(out)


def _nino_fmt(rng: R, value: str) -> str:
    if rng.random() < 0.5:
        return value
    return f"{value[:2]} {value[2:4]} {value[4:6]} {value[6:8]} {value[8]}"


# --- look-alikes (must not be flagged) --------------------------------------------------------


def _change_one_digit(rng: R, value: str, still_valid: Callable[[str], bool]) -> str:
    positions = [i for i, ch in enumerate(value) if ch.isdigit()]
    for _ in range(100):
        i = rng.choice(positions)
        cand = value[:i] + rng.choice([d for d in string.digits if d != value[i]]) + value[i + 1 :]
        if not still_valid(cand):
            return cand
    raise AssertionError(f"could not invalidate {value!r}")


def _compact(v: str) -> str:
    return v.replace(" ", "").replace("-", "").replace(".", "")


_TYPO: tuple[tuple[str, Callable[[R], str], Callable[[str], bool]], ...] = (
    ("card", make_card, lambda v: _luhn_ok(_compact(v))),
    ("iban", make_iban, std_iban.is_valid),
    ("national_id.cn", make_cn, std_ric.is_valid),
    ("national_id.in_aadhaar", make_aadhaar, std_aadhaar.is_valid),
    ("national_id.de_idnr", make_de_idnr, std_idnr.is_valid),
    ("national_id.fr_nir", make_fr_nir, std_nir.is_valid),
    ("national_id.es_dni", make_es_dni, std_dni.is_valid),
    ("national_id.es_nie", make_es_nie, std_nie.is_valid),
    ("national_id.it_cf", make_it_cf, std_cf.is_valid),
    ("national_id.br_cpf", lambda r: std_cpf.format(make_br_cpf(r)), std_cpf.is_valid),
    ("national_id.kr_rrn", lambda r: std_rrn.format(make_kr_rrn(r)), std_rrn.is_valid),
    ("national_id.jp_mynumber", make_jp_mynumber, std_jp_in.is_valid),
)

TEST_CARD_NUMBERS = (
    "4111 1111 1111 1111", "4242424242424242", "5555 5555 5555 4444", "3782 822463 10005", "6011 1111 1111 1117",
    "4000 0566 5566 5556", "5105-1051-0510-5100", "4012888888881881", "3566 0020 2036 0505", "4000 0000 0000 0077",
    "2223 0031 2200 3222", "5200 8282 8282 8210",
)  # fmt: skip


def _lookalike_text(rng: R, kind: str) -> tuple[str, str]:
    """A look-alike in a context; returns (text, context)."""
    if kind == "typo":
        det, maker, ok = rng.choice(_TYPO)
        value = _change_one_digit(rng, maker(rng), ok)
        b = _Builder()
        ctx = _chat(rng, b, None, det, value) if rng.random() < 0.6 else _json(rng, b, None, _KEYS[det], value)
        return b.text(), ctx
    if kind == "test_card":
        card = rng.choice(TEST_CARD_NUMBERS)
        return rng.choice((
            f"For the sandbox, use the test card {card} with any future expiry date and CVC 123.",
            f"Stripe test mode: enter {card}, exp 12/34, CVC 567.",
            f'{{"card_number": "{card}", "exp": "12/30", "cvc": "123"}}',
            f"测试环境请使用测试卡号 {card}。",
            f"Für Tests die Karte {card} verwenden.",
        )), "test_card"  # fmt: skip
    if kind == "ssn_invalid":
        area = rng.choice(("000", "666", str(rng.randint(900, 999))))
        value = rng.choice((f"{area}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}",
                            f"{rng.randint(1, 665):03d}-00-{rng.randint(1, 9999):04d}",
                            f"{rng.randint(1, 665):03d}-{rng.randint(1, 99):02d}-0000"))  # fmt: skip
        return f"My SSN is {value}, can you fill in the form?", "chat:en"
    if kind == "nino_invalid":
        prefix = rng.choice(("BG", "GB", "NK", "TN", "ZZ"))
        return f"NINO: {prefix}{_digits(rng, 6)}{rng.choice('ABCD')}", "chat:en"
    if kind == "phone_invalid":
        return rng.choice((
            f"Call me at +1 {rng.choice('01')}{_digits(rng, 2)} 555 {_digits(rng, 4)}",
            f"Tel: +44 20 {_digits(rng, 3)}",
            f"Phone: +49 {_digits(rng, 3)}",
            f"电话：+86 {_digits(rng, 4)}",
        )), "phone_invalid"  # fmt: skip
    if kind == "order_number":
        n = rng.choice((9, 10, 11, 12, 13, 14, 16))
        value = _digits(rng, n, first_nonzero=True)
        return rng.choice((
            f"Order #{value} has not arrived yet, can you help?",
            f"Where is my order {value}? It was due last week.",
            f'{{"order_id": "{value}", "status": "shipped", "total": 59.90}}',
            f"Mi pedido {value} llegó dañado.",
            f"Meine Bestellung {value} ist nicht angekommen.",
            f"Ma commande {value} est en retard.",
            f"订单号 {value} 还没发货。",
            f"注文番号 {value} の配送状況を教えてください。",
            f"Заказ {value} ещё не доставлен.",
            f"Invoice {value} is overdue by 30 days.",
            f"Transaction ID: {value}",
        )), "order_number"  # fmt: skip
    if kind == "tracking_number":
        value = rng.choice((
            "1Z" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(16)),
            "9400 " + " ".join(_digits(rng, 4) for _ in range(4)) + " " + _digits(rng, 2),
            _digits(rng, 12, first_nonzero=True),
            _digits(rng, 15, first_nonzero=True),
            "JD" + _digits(rng, 16),
        ))  # fmt: skip
        return rng.choice((
            f"Tracking number: {value}",
            f"Your parcel {value} is out for delivery.",
            f"Sendungsnummer {value} — Zustellung morgen.",
            f"快递单号：{value}",
            f"Número de seguimiento: {value}",
        )), "tracking_number"  # fmt: skip
    if kind == "version":
        return rng.choice((
            f"We upgraded to version {rng.randint(1, 12)}.{rng.randint(0, 30)}.{rng.randint(0, 99)} yesterday.",
            f"pip install numpy=={rng.randint(1, 2)}.{rng.randint(0, 26)}.{rng.randint(0, 9)}",
            f"Windows build 10.0.{rng.randint(10000, 22631)}.{rng.randint(1, 3000)}",
            f"User-Agent: Mozilla/5.0 Chrome/{rng.randint(90, 130)}.0.{rng.randint(1000, 6999)}.{rng.randint(10, 199)}",
            f"version {rng.randint(1, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)} fixes the crash",
            f"OID 1.3.6.1.4.1.{rng.randint(100, 99999)}.1.2",
            f"Requires node >= {rng.randint(14, 22)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}",
        )), "version"  # fmt: skip
    if kind == "uuid":
        u = uuid.UUID(int=rng.getrandbits(128), version=4)
        return rng.choice((f"request_id={u}", f'{{"id": "{u}", "ok": true}}', f"Trace {u} failed at step 3.")), "uuid"
    if kind == "hash":
        h = "".join(rng.choice("0123456789abcdef") for _ in range(rng.choice((32, 40, 64))))
        return rng.choice((f"sha256: {h}", f"commit {h}", f'ETag: "{h}"', f"md5sum = {h}")), "hash"
    if kind == "timestamp":
        value = rng.choice((
            str(rng.randint(1_500_000_000, 1_800_000_000)),
            str(rng.randint(1_500_000_000_000, 1_800_000_000_000)),
            f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            f"T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z",
            f"2024{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            f"{rng.randint(0, 23):02d}{rng.randint(0, 59):02d}{rng.randint(0, 59):02d}",
            f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.2024 {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
        ))  # fmt: skip
        return rng.choice((f"timestamp: {value}", f'{{"ts": {value}}}' if value.isdigit() else f'{{"ts": "{value}"}}',
                           f"The job started at {value} and failed.", f"created_at,{value}")), "timestamp"  # fmt: skip
    if kind == "product_code":
        value = rng.choice((
            f"{_digits(rng, 3)}-{_digits(rng, 3)}-{_digits(rng, 4)}",
            f"{_digits(rng, 2)}-{_digits(rng, 4)}-{_digits(rng, 3)}",
            f"{_digits(rng, 4)} {_digits(rng, 4)} {_digits(rng, 4)}",
            f"978-{rng.randint(0, 9)}-{_digits(rng, 2)}-{_digits(rng, 6)}-{rng.randint(0, 9)}",
            _digits(rng, 13, first_nonzero=True),
        ))  # fmt: skip
        return rng.choice((
            f"SKU {value} is out of stock.",
            f"Part no. {value} fits the 2019 model.",
            f"Model {value} ships in 3 days.",
            f"ISBN {value}",
            f"EAN: {value}",
            f"Artikelnummer {value} ist ausverkauft.",
            f"Référence {value} en rupture de stock.",
            f"型番 {value} は在庫切れです。",
            f"Артикул {value} нет в наличии.",
        )), "product_code"  # fmt: skip
    if kind == "secret_placeholder":
        return rng.choice((
            'client = OpenAI(api_key="sk-your-api-key-here")',
            "OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "SLACK_WEBHOOK=https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            "stripe.api_key = 'sk_live_...'",
            "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n"
            "-----END PUBLIC KEY-----",
            "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n"
            "-----END CERTIFICATE-----",
            "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----",
            "password: ********",
            "password = os.environ['DB_PASSWORD']",
            "password: ${DB_PASSWORD}",
            "Password: <your password here>",
            'if not password: raise ValueError("password is required")',
            "The password policy requires at least 12 characters.",
            "Reset your password at https://example.com/reset",
            "DB_PASSWORD=",
            "password = getpass.getpass()",
            "self.password = password",
            "secret: true",
            'token = "eyJub3RhIjoiand0In0.eyJzdWIiOiIxIn0.c2ln"',
            "see the task-force-report-2024-final-version document",
        )), "secret_placeholder"  # fmt: skip
    if kind == "email_like":
        return rng.choice((
            "Use the logo@2x.png asset for retina screens.",
            "Follow us @tokenway on social media.",
            "Write to support at example dot com.",
            "npm install lodash@4.17.21",
            "ssh deploy@localhost",
        )), "email_like"  # fmt: skip
    if kind == "ip_like":
        return rng.choice((
            f"Bump to {rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 20)} before release.",
            f"The value {rng.randint(256, 999)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}"
            " is out of range.",
            "Bind to 0.0.0.0 and check 127.0.0.1:8080.",
            "Subnet mask 255.255.255.0",
            f"Latitude {rng.randint(10, 80)}.{_digits(rng, 4)}, longitude {rng.randint(10, 170)}.{_digits(rng, 4)}",
        )), "ip_like"  # fmt: skip
    raise ValueError(kind)


_LOOKALIKE_KINDS: tuple[tuple[str, int], ...] = (
    ("typo", 6), ("test_card", 2), ("ssn_invalid", 1), ("nino_invalid", 1), ("phone_invalid", 1),
    ("order_number", 3), ("tracking_number", 2), ("version", 2), ("uuid", 1), ("hash", 1), ("timestamp", 2),
    ("product_code", 3), ("secret_placeholder", 3), ("email_like", 1), ("ip_like", 1),
)  # fmt: skip


def generate(n: int = 3000, seed: int = 0, *, lookalike_share: float = 0.5) -> list[Sample]:
    """``n`` labelled samples; the same ``(n, seed)`` always gives the same samples."""
    rng = random.Random(seed)
    kinds = [k for k, w in _LOOKALIKE_KINDS for _ in range(w)]
    out: list[Sample] = []
    for i in range(n):
        if rng.random() < lookalike_share:
            kind = rng.choice(kinds)
            text, ctx = _lookalike_text(rng, kind)
            out.append(Sample(text, (), f"lookalike:{kind}", ctx))
            continue
        det, maker, cat = _VALID[i % len(_VALID)] if rng.random() < 0.5 else rng.choice(_VALID)
        if cat == "secret":
            out.append(_secret_sample(rng, det, maker))
        else:
            out.append(_pii_sample(rng, det, maker))
    return out


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    for s in generate(count, seed=int(sys.argv[2]) if len(sys.argv) > 2 else 0):
        row = {"label": s.label, "context": s.context, "expected": s.expected, "text": s.text}
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
