"""Context keywords for the sensitive-data scanner: which detector (or "something else": order,
invoice, tracking, SKU, version, timestamp ...) the words around a number name.

Windows: 64 characters before a candidate (the *nearest* keyword counts), 32 after, and the header
cell of the candidate's CSV/TSV/Markdown-table column. Keywords are in English, Spanish, German,
French, Portuguese, Chinese, Japanese, Russian and the id's own language. Matching ignores case;
a keyword with cased letters must stand as a word (a camelCase hump counts as a boundary:
``phoneNumber``, ``userSsn``); CJK keywords match as substrings. One RE2 pass finds them.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from tokenway.guard.sensitive_patterns import SpanFinder

_CONTEXT: dict[str, tuple[str, ...]] = {
    "card": (
        "card", "cards", "card number", "cardnumber", "card no", "credit", "debit", "visa", "mastercard",
        "amex", "american express", "cc", "ccn", "pan", "tarjeta", "kreditkarte", "karte", "kartennummer",
        "carte", "carte bancaire", "cartão", "carta di credito", "信用卡", "银行卡", "卡号", "カード",
        "クレジット", "карта", "карты", "карту", "картой", "номер карты",
    ),
    "phone": (
        "phone", "phones", "phone number", "telephone", "cellphone", "smartphone", "tel", "tél", "telf",
        "mobile", "mob", "cell", "fax", "call", "call me", "text me", "sms", "whatsapp", "contact",
        "reach me", "dial", "hotline", "teléfono", "telefono", "móvil", "movil", "celular", "llamar",
        "llámame", "llama", "telefon", "telefonnummer", "handy", "mobil", "mobilnummer", "rufnummer",
        "anrufen", "ruf", "téléphone", "telephone", "portable", "appeler", "appelez", "appelle",
        "joindre", "电话", "手机", "联系", "致电", "打给", "電話", "携帯", "連絡", "телефон", "тел",
        "звоните", "позвоните", "позвони", "мобильный", "мобильного",
    ),
    "national_id.us_ssn": (
        "ssn", "ssns", "social security", "social-security", "soc sec", "ss#", "seguro social",
        "sécurité sociale", "sozialversicherungsnummer", "社会保障", "社会安全", "社會安全",
        "社会保障番号", "номер социального страхования", "социального страхования",
    ),
    "national_id.in_aadhaar": ("aadhaar", "aadhar", "adhaar", "uidai", "uid", "आधार"),
    "national_id.jp_mynumber": (
        "my number", "mynumber", "my-number", "individual number", "kojin bango", "マイナンバー", "個人番号",
    ),
    "national_id.de_idnr": (
        "steuer-id", "steuerid", "steuer id", "steueridentifikationsnummer", "steuer-identifikationsnummer",
        "identifikationsnummer", "idnr", "id-nr", "tax id", "tax-id", "taxid", "tin", "tax identification",
        "steuernummer", "numéro fiscal", "número fiscal", "税号", "納税者番号", "налоговый номер",
    ),
    "national_id.br_cpf": ("cpf", "cadastro de pessoas", "cadastro de pessoa"),
    "national_id.kr_rrn": (
        "rrn", "resident registration", "주민등록번호", "주민번호", "住民登録番号", "居民登记号", "居民登录号",
    ),
    "national_id.uk_nino": (
        "nino", "national insurance", "ni number", "ni no", "nin", "insurance number",
    ),
    # ids that report without context: listed so that their label vetoes another detector
    # ("my Chinese ID number is <a typo that happens to pass Luhn>" is not a card)
    "national_id.cn": (
        "chinese id", "id card", "resident id", "identity card", "身份证", "身份證", "居民身份", "身分証",
    ),
    "national_id.fr_nir": ("nir", "sécurité sociale", "securite sociale", "numéro de sécu", "insee"),
    "national_id.es_dni": ("dni", "documento nacional de identidad", "nif"),
    "national_id.es_nie": ("nie", "número de identidad de extranjero", "nif"),
    "national_id.it_cf": ("codice fiscale", "cod fisc", "c.f."),
}  # fmt: skip
_NEGATIVE: tuple[str, ...] = (
    "order", "orders", "order no", "order id", "ordernumber", "sku", "part", "part no", "p/n", "ref",
    "reference", "invoice", "tracking", "track", "shipment", "parcel", "package", "waybill", "ticket",
    "case", "serial", "s/n", "model", "version", "ver", "build", "item", "product", "article",
    "booking", "confirmation", "transaction", "txn", "receipt", "batch", "lot", "isbn", "ean", "upc",
    "gtin", "barcode", "asin", "timestamp", "epoch", "unix", "ts", "hash", "checksum", "commit", "sha",
    "md5", "pedido", "referencia", "factura", "envío", "envio", "seguimiento", "albarán", "bestellung",
    "bestellnummer", "rechnung", "rechnungsnummer", "sendung", "sendungsnummer", "artikel",
    "artikelnummer", "auftrag", "commande", "facture", "suivi", "colis", "référence", "订单", "单号",
    "快递", "运单", "发票", "型号", "注文", "追跡", "伝票", "請求", "品番", "型番", "заказ", "трек",
    "накладн", "счёт", "счет", "артикул",
)  # fmt: skip


NEG = "neg"
BEFORE = 64
AFTER = 32
_EMPTY: frozenset[str] = frozenset()


_NORM_DROP = str.maketrans("", "", " _-\t\n\r")


def _norm(word: str) -> str:
    """A keyword as written (any case, spaced or joined) to its table key."""
    return word.lower().translate(_NORM_DROP)


def _build() -> tuple[dict[str, frozenset[str]], dict[str, bool], str]:
    kinds: dict[str, set[str]] = {}
    cased: dict[str, bool] = {}
    for det, words in [*_CONTEXT.items(), (NEG, _NEGATIVE)]:
        for w in words:
            kinds.setdefault(_norm(w), set()).add(det)
            cased[_norm(w)] = w.lower() != w.upper()
    words = sorted({w for ws in _CONTEXT.values() for w in ws} | set(_NEGATIVE), key=len, reverse=True)
    alternation = "|".join("[\\s_\\-]?".join(_escape(part) for part in w.split(" ")) for w in words)
    return {k: frozenset(v) for k, v in kinds.items()}, cased, f"(?i:{alternation})"


def _escape(s: str) -> str:
    return "".join("\\" + ch if ch in r".^$*+?{}[]\|()/#-" else ch for ch in s)


_KINDS, _CASED, _PATTERN = _build()
_FINDER = SpanFinder(_PATTERN)


def keywords(text: str, start: int, end: int) -> list[tuple[int, int, frozenset[str]]]:
    """``(start, end, detector ids or NEG)`` of each keyword in ``text[start:end]``, in order."""
    out: list[tuple[int, int, frozenset[str]]] = []
    n = len(text)
    for s, e in _FINDER.spans(text, start, end):
        word = text[s:e]
        key = _norm(word)
        kinds = _KINDS.get(key)
        if kinds is None:
            continue
        if _CASED.get(key, True):
            if s > 0:
                prev = text[s - 1]
                # a cased letter before it joins the word (CJK before it does not), except at a
                # camelCase hump
                if (prev.islower() or prev.isupper()) and not (prev.islower() and word[0].isupper()):
                    continue
            if e < n and text[e].islower():
                continue
        out.append((s, e, kinds))
    return out


@dataclass(slots=True)
class Context:
    """Keywords around one candidate: the detectors named by the nearest keyword before it, those
    named shortly after it, and those named in its table column header."""

    before: frozenset[str] = _EMPTY
    after: frozenset[str] = _EMPTY
    header: frozenset[str] = _EMPTY

    def positive(self, detector: str) -> bool:
        return detector in self.before or detector in self.after or detector in self.header

    def negative(self, detector: str) -> bool:
        """The nearest keyword says the number is something else: an order/tracking/... number,
        or another kind of id (unless this detector's own keyword follows the number)."""
        if self.before:
            return detector not in self.before and detector not in self.after
        return NEG in self.header and not self.positive(detector)


MAX_TABLE_LINE = 4096


# After this many context look-ups in one scan, index the keywords of the whole text once (each
# look-up then costs a bisection, and detectors the text never names are ruled out at once).
INDEX_AFTER = 2


@dataclass(slots=True)
class ScanState:
    """Per-scan state: the text, its keyword index (built lazily when a text has many candidates)
    and caches of table headers."""

    text: str
    headers: dict[int, frozenset[str]] = field(default_factory=dict)
    blocks: dict[int, int] = field(default_factory=dict)
    lookups: int = 0
    index: list[tuple[int, int, frozenset[str]]] | None = None
    index_starts: list[int] = field(default_factory=list)
    present: frozenset[str] | None = None  # every kind named anywhere in the text (with the index)

    def _keywords(self, start: int, end: int) -> list[tuple[int, int, frozenset[str]]]:
        if self.index is None:
            self.lookups += 1
            if self.lookups <= INDEX_AFTER:
                return keywords(self.text, start, end)
            self.index = keywords(self.text, 0, len(self.text))
            self.index_starts = [k[0] for k in self.index]
            self.present = frozenset(k for _, _, kinds in self.index for k in kinds)
        i = bisect_left(self.index_starts, start)
        out = []
        index = self.index
        while i < len(index) and index[i][0] < end:
            if index[i][1] <= end:
                out.append(index[i])
            i += 1
        return out

    def may_name(self, detector: str) -> bool:
        """False when the text names ``detector`` nowhere (known once the index is built); a
        table header is in the text too, so no context can be positive then."""
        return self.present is None or detector in self.present

    def context(self, start: int, end: int) -> Context:
        text = self.text
        before = self._keywords(max(0, start - BEFORE), start)
        after = self._keywords(end, min(len(text), end + AFTER))
        return Context(
            before=before[-1][2] if before else _EMPTY,
            after=frozenset(k for _, _, kinds in after for k in kinds if k != NEG),
            header=self._header_kinds(start),
        )

    def _header_kinds(self, pos: int) -> frozenset[str]:
        """Keywords in the header cell of the CSV/TSV/Markdown column that ``pos`` sits in."""
        text = self.text
        ls = text.rfind("\n", 0, pos) + 1
        le = text.find("\n", pos)
        le = len(text) if le < 0 else le
        if le - ls > MAX_TABLE_LINE:
            return _EMPTY
        # the delimiter the line has most of (the first of ",;\t|" on a tie)
        delim, count = ",", text.count(",", ls, le)
        for d in ";\t|":
            c = text.count(d, ls, le)
            if c > count:
                delim, count = d, c
        if count == 0:
            return _EMPTY
        header_start = self._header_start(ls, delim, count)
        if header_start == ls:
            return _EMPTY
        col = text.count(delim, ls, pos)
        key = header_start * 64 + min(col, 63)
        cached = self.headers.get(key)
        if cached is None:
            he = text.find("\n", header_start)
            cells = text[header_start : he if he >= 0 else len(text)].split(delim)
            cached = _EMPTY
            if col < len(cells):
                cell = cells[col]
                cached = frozenset(k for _, _, kinds in keywords(cell, 0, len(cell)) for k in kinds)
            self.headers[key] = cached
        return cached

    def _header_start(self, ls: int, delim: str, count: int) -> int:
        """Start of the first line of the block of lines with the same delimiter count."""
        text = self.text
        start = ls
        visited: list[int] = []
        while start > 0:
            memo = self.blocks.get(start)
            if memo is not None:
                start = memo
                break
            prev = text.rfind("\n", 0, start - 1) + 1
            if start - prev > MAX_TABLE_LINE or text.count(delim, prev, start - 1) != count:
                break
            visited.append(start)
            start = prev
        for v in visited:
            self.blocks[v] = start
        return start
