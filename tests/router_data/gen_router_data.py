# ruff: noqa: RUF001, E501  -- data: multilingual templates (CJK punctuation, Cyrillic), long example texts
"""Deterministic generator of labelled tier-router requests: simple / reasoning / code.

``generate()`` returns ``(text, label, family, lang)`` rows. A *family* is one template; the
training script splits train / validation / test by family, so test rows come from templates
the head never saw. Slot values are drawn with a seeded ``random.Random`` (same rows on every
run and machine).

Tier definitions (what the labels mean):

* ``simple`` — a cheap model answers as well as a strong one: greetings and small talk, thanks,
  simple facts and lookups, definitions, unit conversions, short rewrites, translations of a
  phrase, short notes and messages, everyday advice.
* ``reasoning`` — multi-step math, science, logic or analysis where a strong model answers
  measurably better: olympiad and competition problems, proofs, derivations, probability,
  puzzles with constraints, expert questions, trade-off analysis.
* ``code`` — writing, fixing, explaining, reviewing or testing code, shell, SQL, regexes,
  configuration; stack traces and compiler errors.

Simple requests are written in en, zh, es, de, fr, ja, ru; reasoning and code in en and, for a
part of the templates, in zh, es, de, fr, ja, ru too (so that "not English" is no shortcut to
``simple``).
"""

from __future__ import annotations

import random

SEED = 20261125
PER_FAMILY = 12  # rows drawn per template (fewer when the slots allow fewer distinct texts)

Row = tuple[str, str, str, str]  # text, label, family, lang

# -- slot values -----------------------------------------------------------------------------------

COUNTRIES = {
    "en": ["France", "Japan", "Brazil", "Canada", "Kenya", "Australia", "Norway", "Egypt", "Mexico", "India"],
    "zh": ["法国", "日本", "巴西", "加拿大", "肯尼亚", "澳大利亚", "挪威", "埃及", "墨西哥", "印度"],
    "es": ["Francia", "Japón", "Brasil", "Canadá", "Kenia", "Australia", "Noruega", "Egipto", "México", "India"],
    "de": ["Frankreich", "Japan", "Brasilien", "Kanada", "Kenia", "Australien", "Norwegen", "Ägypten", "Mexiko"],
    "fr": ["la France", "le Japon", "le Brésil", "le Canada", "le Kenya", "l'Australie", "la Norvège", "l'Égypte"],
    "ja": ["フランス", "日本", "ブラジル", "カナダ", "ケニア", "オーストラリア", "ノルウェー", "エジプト"],
    "ru": ["Франции", "Японии", "Бразилии", "Канады", "Кении", "Австралии", "Норвегии", "Египта"],
}
PEOPLE = [
    "Albert Einstein",
    "Marie Curie",
    "Leonardo da Vinci",
    "Frida Kahlo",
    "Nelson Mandela",
    "Ada Lovelace",
    "Isaac Newton",
    "Jane Austen",
    "Charles Darwin",
    "Mozart",
    "Cleopatra",
    "Confucius",
]
WORDS_EN = [
    "serendipity",
    "ubiquitous",
    "ephemeral",
    "pragmatic",
    "resilience",
    "nostalgia",
    "ambiguous",
    "meticulous",
    "benevolent",
    "candid",
    "procrastinate",
    "frugal",
]
PHRASES_EN = [
    "good morning",
    "where is the train station",
    "thank you very much",
    "I am hungry",
    "see you tomorrow",
    "how much does this cost",
    "happy birthday",
    "I love this city",
    "the weather is nice today",
    "can I have the bill please",
]
TARGET_LANGS = ["French", "Spanish", "German", "Japanese", "Italian", "Chinese", "Russian", "Portuguese"]
UNITS = [
    ("miles", "kilometers"),
    ("pounds", "kilograms"),
    ("Fahrenheit", "Celsius"),
    ("feet", "meters"),
    ("ounces", "grams"),
    ("gallons", "liters"),
    ("inches", "centimeters"),
    ("cups", "milliliters"),
]
SENTENCES = [
    "i cant come to the meeting tomorrow sorry",
    "the report is late because of many issues",
    "we should of left earlier",
    "send me the file asap",
    "your order has been shipped yesterday",
    "me and him went to the store",
    "the results was good",
    "please tell me when you are free",
    "thanks for you help last week",
    "I want a refund now",
]
RECIPIENTS = [
    "my neighbour",
    "my boss",
    "a colleague who is leaving",
    "my teacher",
    "a friend",
    "my landlord",
    "the hotel staff",
    "my grandmother",
]
OCCASIONS = ["a birthday", "a new job", "a wedding", "a graduation", "a retirement", "the holidays"]
PETS = ["cat", "puppy", "goldfish", "parrot", "rabbit", "hamster"]
FOODS = ["pancakes", "a boiled egg", "rice", "pasta", "an omelette", "tea", "guacamole", "popcorn"]
CITIES = ["Paris", "Tokyo", "Rome", "Lisbon", "Seoul", "Prague", "Vienna", "Istanbul", "Lima", "Cairo"]

PROG_LANGS = ["Python", "JavaScript", "TypeScript", "Go", "Rust", "Java", "C++", "C#", "Kotlin", "Ruby"]
CODE_TASKS = [
    "reverses a linked list",
    "checks whether a string is a palindrome",
    "merges two sorted arrays",
    "parses a CSV file and sums one column",
    "debounces another function",
    "computes the Levenshtein distance",
    "finds the k most frequent words in a text",
    "validates an email address",
    "flattens a nested list",
    "implements an LRU cache",
    "reads a JSON config file with defaults",
    "retries an HTTP request with backoff",
    "converts a Roman numeral to an integer",
    "groups anagrams together",
    "serialises a binary tree",
]
ERRORS = [
    ("Python", "TypeError: 'NoneType' object is not subscriptable"),
    ("Python", "ModuleNotFoundError: No module named 'requests'"),
    ("JavaScript", "TypeError: Cannot read properties of undefined (reading 'map')"),
    ("Java", "java.lang.NullPointerException"),
    ("Rust", "error[E0502]: cannot borrow `v` as mutable because it is also borrowed as immutable"),
    ("Go", "panic: runtime error: index out of range [3] with length 3"),
    ("C++", "Segmentation fault (core dumped)"),
    ("TypeScript", "error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'"),
    ("Python", "RecursionError: maximum recursion depth exceeded"),
    ("React", 'Warning: Each child in a list should have a unique "key" prop'),
]
SNIPPETS = [
    ("python", "def mean(xs):\n    total = 0\n    for x in xs:\n        total += x\n    return total / len(xs)"),
    ("python", "import requests\n\nresp = requests.get(url)\ndata = resp.json()\nprint(data['items'][0])"),
    ("javascript", "const items = await fetch('/api').then(r => r.json());\nitems.forEach(i => console.log(i.id));"),
    ("go", "func sum(xs []int) int {\n    s := 0\n    for _, x := range xs {\n        s += x\n    }\n    return s\n}"),
    ("sql", "SELECT name, COUNT(*) FROM orders o JOIN users u ON o.user_id = u.id GROUP BY name;"),
    (
        "java",
        "public int max(int[] a) {\n    int m = a[0];\n    for (int i = 1; i <= a.length; i++) m = Math.max(m, a[i]);\n    return m;\n}",
    ),
    ("rust", "fn first_word(s: &String) -> &str {\n    let bytes = s.as_bytes();\n    &s[..bytes.len()]\n}"),
    ("bash", "for f in *.log; do\n  gzip $f\ndone"),
    (
        "typescript",
        "interface User { id: number; name?: string }\nfunction greet(u: User) { return 'hi ' + u.name.toUpperCase(); }",
    ),
    ("cpp", "std::vector<int> v = {3, 1, 2};\nstd::sort(v.begin(), v.end());\nfor (auto x : v) std::cout << x;"),
]
TOOLS = ["Docker", "Kubernetes", "nginx", "GitHub Actions", "Terraform", "PostgreSQL", "Redis", "webpack"]
DB_TASKS = [
    "the top 5 customers by total order value",
    "users who signed up last month but never ordered",
    "the running total of sales per day",
    "duplicate email addresses",
    "the second highest salary per department",
    "orders whose status changed more than twice",
]

NUMS = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 17, 19, 20, 24, 30]
PRIMES = [3, 5, 7, 11, 13, 17, 19, 23]
TOPICS_ANALYSIS = [
    ("a carbon tax", "cap-and-trade"),
    ("remote work", "office work"),
    ("nuclear power", "solar power"),
    ("a universal basic income", "a negative income tax"),
    ("microservices", "a monolith"),
    ("raising interest rates", "quantitative tightening"),
    ("rent control", "housing vouchers"),
]
SCIENCE_Q = [
    "the ground-state energy of a particle in a one-dimensional infinite well of width L, to first order, when a perturbation V0·x/L is added",
    "the escape velocity from a planet with twice Earth's mass and three times its radius",
    "the entropy change when 2 mol of an ideal gas expands isothermally to three times its volume",
    "the pH of a 0.05 M acetic acid solution mixed with an equal volume of 0.02 M NaOH (pKa 4.76)",
    "the Hardy-Weinberg carrier frequency of a recessive disease with incidence 1 in 2500",
    "the number of stereoisomers of 2,3,4-trichloropentane",
    "the magnetic field at the centre of a square loop of side a carrying current I",
    "the half-life of a second-order reaction when the initial concentration is tripled",
]


def _fill(rng: random.Random, template: str, slots: dict[str, list]) -> str:
    values = {k: rng.choice(v) for k, v in slots.items()}
    return template.format(**values)


# -- templates: (family, lang, template, slots) ----------------------------------------------------


def _simple() -> list[tuple[str, str, str, dict[str, list]]]:
    c = COUNTRIES
    t: list[tuple[str, str, str, dict[str, list]]] = [
        (
            "s-greet-en",
            "en",
            "{g}",
            {
                "g": [
                    "hi",
                    "hello!",
                    "hey there",
                    "good morning :)",
                    "hi, how are you?",
                    "hello, anyone there?",
                    "yo",
                    "good evening!",
                    "hey, what's up?",
                    "morning!",
                ]
            },
        ),
        (
            "s-thanks-en",
            "en",
            "{g}",
            {
                "g": [
                    "thanks!",
                    "thank you so much",
                    "great, thanks",
                    "ok thank you",
                    "perfect, that helps",
                    "thx",
                    "awesome, cheers",
                    "that's all, thanks",
                    "got it, thank you!",
                    "nice, appreciate it",
                ]
            },
        ),
        (
            "s-smalltalk-en",
            "en",
            "{q}",
            {
                "q": [
                    "how's your day going?",
                    "tell me a joke",
                    "what's your favourite colour?",
                    "do you like music?",
                    "I'm bored, say something fun",
                    "tell me a fun fact about {x}",
                    "what should I name my {p}?",
                    "can you recommend a good movie for tonight?",
                    "what's a good snack for a movie night?",
                ]
            },
        ),
        ("s-capital-en", "en", "What is the capital of {c}?", {"c": c["en"]}),
        ("s-born-en", "en", "When was {p} born?", {"p": PEOPLE}),
        ("s-who-en", "en", "Who was {p}?", {"p": PEOPLE}),
        ("s-define-en", "en", "What does the word '{w}' mean?", {"w": WORDS_EN}),
        ("s-synonym-en", "en", "Give me a synonym for {w}.", {"w": WORDS_EN}),
        (
            "s-convert-en",
            "en",
            "How many {b} is {n} {a}?",
            {"n": NUMS, "a": [u[0] for u in UNITS], "b": [u[1] for u in UNITS]},
        ),
        ("s-translate-en", "en", "Translate '{p}' into {l}.", {"p": PHRASES_EN, "l": TARGET_LANGS}),
        ("s-howsay-en", "en", "How do you say {p} in {l}?", {"p": PHRASES_EN, "l": TARGET_LANGS}),
        ("s-fix-en", "en", "Fix the grammar: {s}", {"s": SENTENCES}),
        ("s-polite-en", "en", 'Make this sound more polite: "{s}"', {"s": SENTENCES}),
        ("s-note-en", "en", "Write a short thank-you note to {r}.", {"r": RECIPIENTS}),
        ("s-card-en", "en", "Write a one-line message for {o} card.", {"o": OCCASIONS}),
        ("s-cook-en", "en", "How long should I cook {f}?", {"f": FOODS}),
        ("s-weather-en", "en", "What's the best time of year to visit {x}?", {"x": CITIES}),
        ("s-time-en", "en", "What time zone is {x} in?", {"x": CITIES}),
        ("s-spell-en", "en", "How do you spell {w}?", {"w": WORDS_EN}),
        ("s-list-en", "en", "Name {n} fruits that are {col}.", {"n": [3, 4, 5], "col": ["red", "yellow", "green"]}),
        ("s-arith-en", "en", "What is {a} plus {b}?", {"a": NUMS, "b": NUMS}),
        (
            "s-summary-en",
            "en",
            "Summarize in one sentence: {s}",
            {
                "s": [
                    "The meeting was moved from Tuesday to Thursday because the room was booked.",
                    "Our store will close early on Friday for inventory and reopen on Saturday at nine.",
                    "The new park has a playground, a small lake and a cafe that opens at eight.",
                    "Ticket prices go up next month, so buy early if you want the discount.",
                ]
            },
        ),
        (
            "s-advice-en",
            "en",
            "{q}",
            {
                "q": [
                    "Any tips to fall asleep faster?",
                    "How do I get a coffee stain out of a shirt?",
                    "What should I pack for a weekend trip to {x}?",
                    "How often should I water a cactus?",
                    "Is it OK to drink water right after running?",
                    "How do I boil an egg?",
                ]
            },
        ),
        ("s-percent-en", "en", "what's {n}% of {m}", {"n": [5, 10, 15, 20, 25, 50], "m": [40, 80, 120, 200, 64]}),
        ("s-times-en", "en", "What is {a} times {b}?", {"a": NUMS, "b": NUMS}),
        (
            "s-rewrite-en",
            "en",
            "Rewrite this in {style}: {s}",
            {
                "style": ["passive voice", "plain English", "a formal tone", "fewer words", "the past tense"],
                "s": SENTENCES,
            },
        ),
        (
            "s-fact-en",
            "en",
            "{q}",
            {
                "q": [
                    "Which ocean is the largest?",
                    "How many legs does a spider have?",
                    "What is the freezing point of water?",
                    "Who painted the Starry Night?",
                    "What language is spoken in Brazil?",
                    "How many days are in a leap year?",
                    "What's the largest planet in our solar system?",
                    "Who invented the telephone?",
                    "What is the currency of Japan?",
                    "How many players are on a soccer team?",
                ]
            },
        ),
        (
            "s-opinion-en",
            "en",
            "{q}",
            {
                "q": [
                    "cats or dogs?",
                    "what's your favourite book?",
                    "are you a robot?",
                    "do you dream?",
                    "what can you do?",
                    "who made you?",
                    "you're awesome",
                    "I had a rough day",
                    "I just got a promotion!",
                    "good job",
                ]
            },
        ),
        # Chinese
        (
            "s-fact-zh",
            "zh",
            "{q}",
            {
                "q": [
                    "世界上最高的山是哪座？",
                    "一年有多少天？",
                    "水的沸点是多少度？",
                    "谁发明了电话？",
                    "日本的货币是什么？",
                    "蜘蛛有几条腿？",
                    "太阳系最大的行星是哪个？",
                    "5乘以8等于多少？",
                ]
            },
        ),
        (
            "s-rewrite-zh",
            "zh",
            "{q}",
            {
                "q": [
                    "把这句话改得更礼貌一点：明天的会我不去了。",
                    "帮我写一条请假短信，明天身体不舒服。",
                    "帮我把“我很忙”换个说法",
                    "用一句话总结：今天下雨，比赛推迟到周六。",
                    "帮我写一句感谢同事的话",
                    "给朋友写一句新年祝福",
                ]
            },
        ),
        (
            "s-greet-zh",
            "zh",
            "{g}",
            {
                "g": [
                    "你好",
                    "你好！",
                    "早上好",
                    "嗨，最近怎么样？",
                    "晚上好",
                    "在吗？",
                    "谢谢你！",
                    "太好了，谢谢",
                    "好的，明白了",
                    "哈哈，有意思",
                ]
            },
        ),
        ("s-capital-zh", "zh", "{c}的首都是哪里？", {"c": c["zh"]}),
        (
            "s-translate-zh",
            "zh",
            "把“{p}”翻译成英文。",
            {
                "p": [
                    "早上好",
                    "谢谢你的帮助",
                    "我饿了",
                    "明天见",
                    "生日快乐",
                    "这个多少钱",
                    "今天天气很好",
                    "我爱这座城市",
                ]
            },
        ),
        (
            "s-define-zh",
            "zh",
            "“{w}”是什么意思？",
            {"w": ["内卷", "躺平", "画蛇添足", "一石二鸟", "破釜沉舟", "塞翁失马"]},
        ),
        (
            "s-advice-zh",
            "zh",
            "{q}",
            {
                "q": [
                    "给我讲个笑话吧",
                    "推荐一部好看的电影",
                    "怎么煮鸡蛋？",
                    "周末去哪里玩比较好？",
                    "今天是星期几？",
                    "帮我给猫取个名字",
                    "睡不着怎么办？",
                ]
            },
        ),
        (
            "s-fact-es",
            "es",
            "{q}",
            {
                "q": [
                    "¿Cuál es el océano más grande?",
                    "¿Quién escribió Don Quijote?",
                    "¿Cuántas patas tiene una araña?",
                    "¿Qué idioma se habla en Brasil?",
                    "¿Cuánto es 7 por 8?",
                    "¿Cuál es la moneda de Japón?",
                ]
            },
        ),
        # Spanish
        (
            "s-greet-es",
            "es",
            "{g}",
            {
                "g": [
                    "hola",
                    "¡hola! ¿qué tal?",
                    "buenos días",
                    "buenas noches",
                    "gracias",
                    "muchas gracias por tu ayuda",
                    "vale, perfecto",
                    "¿cómo estás?",
                ]
            },
        ),
        ("s-capital-es", "es", "¿Cuál es la capital de {c}?", {"c": c["es"]}),
        (
            "s-translate-es",
            "es",
            'Traduce al inglés: "{p}"',
            {
                "p": [
                    "buenos días",
                    "¿dónde está la estación?",
                    "tengo hambre",
                    "hasta mañana",
                    "feliz cumpleaños",
                    "¿cuánto cuesta esto?",
                ]
            },
        ),
        (
            "s-advice-es",
            "es",
            "{q}",
            {
                "q": [
                    "Cuéntame un chiste",
                    "¿Qué película me recomiendas para esta noche?",
                    "¿Cómo se cocina el arroz?",
                    "¿Qué hora es en {x}?",
                    "Dame un nombre para mi perro",
                    "¿Cuántos días tiene febrero?",
                ]
            },
        ),
        (
            "s-fact-de",
            "de",
            "{q}",
            {
                "q": [
                    "Welcher Ozean ist der größte?",
                    "Wer hat die Glühbirne erfunden?",
                    "Wie viele Beine hat eine Spinne?",
                    "Was ist 12 mal 12?",
                    "Welche Sprache spricht man in Brasilien?",
                    "Formuliere das höflicher: Schick mir sofort die Datei.",
                ]
            },
        ),
        # German
        (
            "s-greet-de",
            "de",
            "{g}",
            {
                "g": [
                    "hallo",
                    "guten Morgen!",
                    "hi, wie geht's?",
                    "danke schön",
                    "vielen Dank!",
                    "alles klar, danke",
                    "guten Abend",
                    "servus",
                ]
            },
        ),
        ("s-capital-de", "de", "Was ist die Hauptstadt von {c}?", {"c": c["de"]}),
        (
            "s-translate-de",
            "de",
            'Übersetze bitte ins Englische: "{p}"',
            {
                "p": [
                    "Guten Morgen",
                    "Wo ist der Bahnhof?",
                    "Ich habe Hunger",
                    "Bis morgen",
                    "Alles Gute zum Geburtstag",
                ]
            },
        ),
        (
            "s-advice-de",
            "de",
            "{q}",
            {
                "q": [
                    "Erzähl mir einen Witz",
                    "Wie lange muss ein Ei kochen?",
                    "Was kann ich heute Abend kochen?",
                    "Wie spät ist es in {x}?",
                    "Wie heißt die Mehrzahl von Haus?",
                    "Kannst du mir einen Film empfehlen?",
                ]
            },
        ),
        (
            "s-fact-fr",
            "fr",
            "{q}",
            {
                "q": [
                    "Quel est le plus grand océan ?",
                    "Qui a peint la Joconde ?",
                    "Combien de pattes a une araignée ?",
                    "Combien font 9 fois 7 ?",
                    "Reformule plus poliment : envoie-moi le fichier maintenant.",
                    "Quelle langue parle-t-on au Brésil ?",
                ]
            },
        ),
        # French
        (
            "s-greet-fr",
            "fr",
            "{g}",
            {"g": ["bonjour", "salut, ça va ?", "bonsoir", "merci beaucoup", "merci !", "d'accord, merci", "coucou"]},
        ),
        ("s-capital-fr", "fr", "Quelle est la capitale de {c} ?", {"c": c["fr"]}),
        (
            "s-translate-fr",
            "fr",
            "Traduis en anglais : « {p} »",
            {"p": ["bonjour", "où est la gare ?", "j'ai faim", "à demain", "joyeux anniversaire"]},
        ),
        (
            "s-advice-fr",
            "fr",
            "{q}",
            {
                "q": [
                    "Raconte-moi une blague",
                    "Comment faire cuire des pâtes ?",
                    "Quel temps fait-il en général à {x} en été ?",
                    "Donne-moi un nom pour mon chat",
                    "Que veut dire « flâner » ?",
                    "Tu peux me conseiller un bon livre ?",
                ]
            },
        ),
        (
            "s-fact-ja",
            "ja",
            "{q}",
            {
                "q": [
                    "世界で一番大きい海は？",
                    "クモの足は何本？",
                    "水の沸点は何度？",
                    "7かける8は？",
                    "電話を発明したのは誰？",
                    "この文をもっと丁寧にして：明日の会議は行けない。",
                ]
            },
        ),
        # Japanese
        (
            "s-greet-ja",
            "ja",
            "{g}",
            {
                "g": [
                    "こんにちは",
                    "おはようございます",
                    "こんばんは",
                    "ありがとう！",
                    "どうもありがとうございます",
                    "元気ですか？",
                    "了解です、ありがとう",
                ]
            },
        ),
        ("s-capital-ja", "ja", "{c}の首都はどこですか？", {"c": c["ja"]}),
        (
            "s-translate-ja",
            "ja",
            "「{p}」を英語に訳してください。",
            {"p": ["おはよう", "駅はどこですか", "お腹がすいた", "また明日", "誕生日おめでとう"]},
        ),
        (
            "s-advice-ja",
            "ja",
            "{q}",
            {
                "q": [
                    "何か面白い話をして",
                    "おすすめの映画を教えて",
                    "卵のゆで時間は？",
                    "猫の名前を考えて",
                    "今日は何曜日？",
                    "よく眠るコツは？",
                ]
            },
        ),
        (
            "s-fact-ru",
            "ru",
            "{q}",
            {
                "q": [
                    "Какой океан самый большой?",
                    "Кто изобрёл телефон?",
                    "Сколько ног у паука?",
                    "Сколько будет 7 умножить на 8?",
                    "Сделай вежливее: пришли файл сейчас же.",
                    "На каком языке говорят в Бразилии?",
                ]
            },
        ),
        # Russian
        (
            "s-greet-ru",
            "ru",
            "{g}",
            {
                "g": [
                    "привет",
                    "привет, как дела?",
                    "доброе утро",
                    "добрый вечер",
                    "спасибо!",
                    "большое спасибо за помощь",
                    "понятно, спасибо",
                ]
            },
        ),
        ("s-capital-ru", "ru", "Какая столица {c}?", {"c": c["ru"]}),
        (
            "s-translate-ru",
            "ru",
            "Переведи на английский: «{p}»",
            {"p": ["доброе утро", "где вокзал?", "я голоден", "до завтра", "с днём рождения"]},
        ),
        (
            "s-advice-ru",
            "ru",
            "{q}",
            {
                "q": [
                    "Расскажи анекдот",
                    "Посоветуй фильм на вечер",
                    "Сколько варить яйцо?",
                    "Придумай имя для кота",
                    "Какой сегодня день недели?",
                    "Как быстрее заснуть?",
                ]
            },
        ),
    ]
    for fam, _lang, _tpl, slots in t:
        if fam == "s-smalltalk-en" or fam == "s-advice-en":
            slots.setdefault("x", CITIES)
            slots.setdefault("p", PETS)
        if fam in ("s-advice-es", "s-advice-de", "s-advice-fr"):
            slots.setdefault("x", CITIES)
    return t


def _reasoning() -> list[tuple[str, str, str, dict[str, list]]]:
    return [
        (
            "r-numth-en",
            "en",
            "Find the number of positive integers n ≤ {N} such that n^2 + {a} is divisible by {p}.",
            {"N": [100, 500, 1000, 2024, 2025], "a": [1, 2, 3, 5, 7], "p": PRIMES},
        ),
        (
            "r-digits-en",
            "en",
            "Find the remainder when {a}^{b} is divided by {m}. Show your reasoning.",
            {"a": [3, 7, 11, 13, 17], "b": [100, 2024, 999, 12345], "m": [7, 13, 100, 1000]},
        ),
        (
            "r-geom-en",
            "en",
            "In triangle ABC, AB = {a}, BC = {b} and CA = {c}. Let D be the foot of the altitude from A. "
            "Find the length of AD and the radius of the inscribed circle.",
            {"a": [13, 5, 7, 9], "b": [14, 12, 8, 10], "c": [15, 13, 11, 12]},
        ),
        (
            "r-prob-en",
            "en",
            "A fair die is rolled {n} times. What is the probability that the sum is divisible by {k}? "
            "Give an exact answer.",
            {"n": [3, 4, 5, 6], "k": [3, 4, 5, 7]},
        ),
        (
            "r-comb-en",
            "en",
            "How many ways are there to tile a 2×{n} board with 1×2 dominoes and 2×2 squares? Derive a recurrence.",
            {"n": [8, 10, 12, 15, 20]},
        ),
        (
            "r-proof-en",
            "en",
            "Prove that {s}.",
            {
                "s": [
                    "there are infinitely many primes of the form 4k+3",
                    "the square root of {p} is irrational",
                    "every tournament has a Hamiltonian path",
                    "a graph is bipartite iff it has no odd cycle",
                    "the sum of the reciprocals of the primes diverges",
                    "every bounded monotone sequence of reals converges",
                    "n^5 - n is divisible by 30 for every integer n",
                    "there is no largest prime",
                ],
                "p": PRIMES,
            },
        ),
        (
            "r-calc-en",
            "en",
            "Evaluate the integral of {f} from 0 to {b}, and justify each step.",
            {"f": ["x^2·e^(-x)", "ln(1+x)/x", "sin(x)^3", "x/(1+x^4)", "1/(1+x^2)^2"], "b": ["1", "infinity", "pi/2"]},
        ),
        ("r-science-en", "en", "Calculate {q}. Explain the physics or chemistry behind each step.", {"q": SCIENCE_Q}),
        (
            "r-puzzle-en",
            "en",
            "{q}",
            {
                "q": [
                    "Three boxes are labelled apples, oranges and mixed, and every label is wrong. You may take one fruit from one "
                    "box. How do you relabel all boxes correctly? Explain why it always works.",
                    "You have 12 coins, one counterfeit that is heavier or lighter. With three weighings on a balance, find it and "
                    "say whether it is heavier or lighter. Describe the full strategy.",
                    "A knight and knave puzzle: A says 'B is a knave', B says 'A and C are the same kind', C says nothing. "
                    "Determine who is what, with reasoning.",
                    "Five pirates divide 100 gold coins by the usual seniority voting rule. What does the eldest propose and why?",
                    "100 prisoners and a light bulb: design a protocol that guarantees someone eventually announces all have visited.",
                    "Two trains leave stations {n}0 km apart toward each other at 60 and 90 km/h; a bird flies at 120 km/h between "
                    "them until they meet. How far does the bird fly, and why is the series argument unnecessary?",
                ],
                "n": [15, 30, 45],
            },
        ),
        (
            "r-analysis-en",
            "en",
            "Compare {a} and {b} as policies: analyse the economic trade-offs, second-order effects and "
            "the evidence, and give a reasoned recommendation.",
            {"a": [t[0] for t in TOPICS_ANALYSIS], "b": [t[1] for t in TOPICS_ANALYSIS]},
        ),
        (
            "r-legal-en",
            "en",
            "A tenant in {x} withholds rent because the landlord ignored a broken heater for {n} weeks. "
            "Analyse the legal issues step by step: duty, breach, remedies, and the landlord's likely defences.",
            {"x": ["California", "New York", "England", "Ontario"], "n": [2, 3, 6]},
        ),
        (
            "r-stats-en",
            "en",
            "A test for a disease with prevalence {p}% has sensitivity {s}% and specificity {q}%. "
            "If a person tests positive twice independently, what is the probability they have the disease?",
            {"p": [0.1, 1, 2, 5], "s": [90, 95, 99], "q": [90, 95, 98]},
        ),
        (
            "r-opt-en",
            "en",
            "Maximize {f} subject to {c}. Use Lagrange multipliers and check the second-order conditions.",
            {
                "f": ["xyz", "x + 2y + 3z", "x^2 y", "ln x + ln y"],
                "c": ["x^2 + y^2 + z^2 = 1", "x + y + z = {n}", "xy + yz + zx = 12"],
                "n": NUMS,
            },
        ),
        (
            "r-linalg-en",
            "en",
            "Let A be a {n}×{n} real matrix with A^2 = A. Show that rank(A) = trace(A) and describe all such "
            "matrices up to similarity.",
            {"n": [3, 4, 5, "n"]},
        ),
        (
            "r-game-en",
            "en",
            "Two players alternately remove 1 to {k} stones from a pile of {n}; the player taking the last "
            "stone loses. Who wins with perfect play, and what is the strategy?",
            {"k": [2, 3, 4, 5], "n": [20, 31, 50, 100, 2024]},
        ),
        # other languages
        (
            "r-numth-zh",
            "zh",
            "求所有正整数 n ≤ {N}，使得 n^2 + {a} 能被 {p} 整除的个数，并给出推理过程。",
            {"N": [100, 1000, 2024], "a": [1, 2, 3], "p": PRIMES},
        ),
        (
            "r-proof-zh",
            "zh",
            "证明：{s}。",
            {
                "s": [
                    "存在无穷多个素数",
                    "根号2是无理数",
                    "任意两个连续整数之积是偶数且 n^3-n 能被6整除",
                    "每个有界单调数列都收敛",
                    "一个图是二分图当且仅当它不含奇圈",
                ]
            },
        ),
        (
            "r-prob-es",
            "es",
            "Se lanza un dado justo {n} veces. ¿Cuál es la probabilidad de que la suma sea divisible por {k}? "
            "Razona paso a paso.",
            {"n": [3, 4, 5], "k": [3, 4, 5]},
        ),
        (
            "r-analysis-es",
            "es",
            "Analiza las ventajas y desventajas de {a} frente a {b}, considerando efectos de segundo orden, "
            "y da una recomendación razonada.",
            {
                "a": ["un impuesto al carbono", "el teletrabajo", "la energía nuclear"],
                "b": ["un mercado de emisiones", "el trabajo presencial", "la energía solar"],
            },
        ),
        (
            "r-physics-de",
            "de",
            "Berechne {q} und erkläre jeden Schritt der Herleitung.",
            {
                "q": [
                    "die Fluchtgeschwindigkeit eines Planeten mit doppelter Erdmasse und dreifachem Erdradius",
                    "die Entropieänderung bei isothermer Expansion von 2 mol idealem Gas auf das dreifache Volumen",
                    "das Magnetfeld im Mittelpunkt einer quadratischen Leiterschleife mit Seitenlänge a und Strom I",
                    "den pH-Wert einer 0,05 M Essigsäurelösung nach Zugabe des gleichen Volumens 0,02 M NaOH",
                ]
            },
        ),
        (
            "r-proof-fr",
            "fr",
            "Démontrer que {s}.",
            {
                "s": [
                    "il existe une infinité de nombres premiers",
                    "racine de 2 est irrationnelle",
                    "n^5 - n est divisible par 30 pour tout entier n",
                    "toute suite monotone bornée converge",
                ]
            },
        ),
        (
            "r-geom-ja",
            "ja",
            "三角形ABCにおいて AB={a}, BC={b}, CA={c} とする。内接円の半径と A から BC への垂線の長さを求め、"
            "途中の計算も示してください。",
            {"a": [13, 5, 7], "b": [14, 12, 8], "c": [15, 13, 11]},
        ),
        (
            "r-prob-zh",
            "zh",
            "{q}",
            {
                "q": [
                    "一个袋子里有{a}个红球和{b}个白球，不放回地取出3个，求至少有2个红球的概率，写出详细步骤。",
                    "掷一枚均匀骰子{a}次，求点数之和能被3整除的概率，并说明推理过程。",
                    "甲乙两人轮流掷硬币，先掷出正面者获胜，甲先掷。求甲获胜的概率并证明。",
                ],
                "a": [3, 4, 5],
                "b": [5, 6, 7],
            },
        ),
        (
            "r-analysis-zh",
            "zh",
            "分析{t}的利弊，考虑长期影响和不同观点，并给出有理有据的结论。",
            {"t": ["征收碳税", "全面远程办公", "提高最低工资", "发展核能", "取消高考", "实行四天工作制"]},
        ),
        (
            "r-calc-zh",
            "zh",
            "求函数 f(x) = {f} 的极值，并判断其单调区间，写出推导过程。",
            {"f": ["x^3 - 3x + 1", "x·e^(-x)", "ln(x)/x", "x^4 - 4x^2", "sin(x) + cos(x)"]},
        ),
        (
            "r-math-ja",
            "ja",
            "{q}",
            {
                "q": [
                    "n を正の整数とする。n^2 + {a} が {p} で割り切れるような 1000 以下の n の個数を求めよ。",
                    "サイコロを{b}回振ったとき、出た目の和が3の倍数になる確率を求め、理由も説明してください。",
                    "√2 が無理数であることを証明してください。",
                    "素数が無限に存在することを証明せよ。",
                    "関数 f(x) = x^3 - 3x の極値を求め、グラフの概形を説明せよ。",
                ],
                "a": [1, 2, 3],
                "p": PRIMES,
                "b": [3, 4, 5],
            },
        ),
        (
            "r-analysis-ja",
            "ja",
            "{t}のメリットとデメリットを、長期的な影響も含めて分析し、根拠のある結論を出してください。",
            {"t": ["炭素税の導入", "完全リモートワーク", "最低賃金の引き上げ", "原子力発電", "週休3日制"]},
        ),
        (
            "r-math-ru",
            "ru",
            "{q}",
            {
                "q": [
                    "Найдите количество натуральных n ≤ 1000, для которых n^2 + {a} делится на {p}. Объясните решение.",
                    "Игральную кость бросают {b} раза. Найдите вероятность того, что сумма очков делится на 3.",
                    "Докажите, что √{p} — иррациональное число.",
                    "Решите уравнение x^3 - 6x^2 + 11x - 6 = 0 и докажите, что других корней нет.",
                ],
                "a": [1, 2, 3],
                "p": PRIMES,
                "b": [3, 4, 5],
            },
        ),
        (
            "r-analysis-ru",
            "ru",
            "Проанализируйте плюсы и минусы {t} с учётом долгосрочных последствий и приведите обоснованный вывод.",
            {"t": ["углеродного налога", "удалённой работы", "повышения минимальной зарплаты", "атомной энергетики"]},
        ),
        (
            "r-math-de",
            "de",
            "{q}",
            {
                "q": [
                    "Wie groß ist die Wahrscheinlichkeit, bei {b} Würfen eines fairen Würfels eine durch 3 teilbare Augensumme zu erhalten? Begründe.",
                    "Beweise, dass n^3 - n für jede ganze Zahl n durch 6 teilbar ist.",
                    "Bestimme alle reellen Lösungen von x^4 - 5x^2 + 4 = 0 und begründe jeden Schritt.",
                    "Zeige, dass die Folge a_n = (1 + 1/n)^n monoton wächst und beschränkt ist.",
                ],
                "b": [3, 4, 5],
            },
        ),
        (
            "r-math-fr",
            "fr",
            "{q}",
            {
                "q": [
                    "On lance un dé équilibré {b} fois. Quelle est la probabilité que la somme soit divisible par 3 ? Justifier.",
                    "Calculer l'intégrale de x·e^(-x) entre 0 et l'infini en détaillant chaque étape.",
                    "Résoudre l'équation x^3 - 6x^2 + 11x - 6 = 0 et justifier qu'il n'y a pas d'autre racine.",
                    "Analyser les avantages et les inconvénients d'une taxe carbone, en tenant compte des effets à long terme.",
                ],
                "b": [3, 4, 5],
            },
        ),
        (
            "r-math-es",
            "es",
            "{q}",
            {
                "q": [
                    "Demuestra que hay infinitos números primos.",
                    "Calcula la integral de x^2·e^(-x) entre 0 e infinito paso a paso.",
                    "Encuentra todos los enteros n tales que n^2 + 1 es divisible por n + 1, y justifica la respuesta.",
                    "Resuelve el sistema x + y + z = 6, xy + yz + zx = 11, xyz = 6 y explica el razonamiento.",
                ]
            },
        ),
        (
            "r-expert-en",
            "en",
            "{q}",
            {
                "q": [
                    "Which of Maxwell's equations change if magnetic monopoles exist, and how?",
                    "Predict the major product of the Diels-Alder reaction between cyclopentadiene and maleic anhydride, including stereochemistry.",
                    "Why does the Solow growth model predict conditional convergence, and what does the evidence say?",
                    "Under the Federal Rules of Evidence, is a co-conspirator's statement made after the conspiracy ended admissible? Analyse.",
                    "What determines the stability of a carbocation, and rank tert-butyl, benzyl and allyl cations with reasons.",
                    "Explain why the halting problem is undecidable, using a diagonal argument.",
                    "How does the Black-Scholes model price a European call, and which assumptions fail in practice?",
                    "Why is the sky blue but sunsets red? Derive the wavelength dependence of Rayleigh scattering.",
                    "In a Cournot duopoly with demand P = 100 - Q and marginal costs 10 and 20, find the equilibrium quantities and profits.",
                ]
            },
        ),
        (
            "r-puzzle-ru",
            "ru",
            "{q}",
            {
                "q": [
                    "Есть 12 монет, одна фальшивая (легче или тяжелее). За три взвешивания найдите её и определите, легче она "
                    "или тяжелее. Опишите полную стратегию.",
                    "Докажите, что существует бесконечно много простых чисел вида 4k+3.",
                    "Найдите все целые n, при которых n^2 + 1 делится на n + 1, и обоснуйте ответ.",
                    "Два игрока по очереди берут от 1 до 3 камней из кучки в 2024 камня; взявший последний проигрывает. "
                    "Кто выигрывает при правильной игре и почему?",
                ]
            },
        ),
    ]


def _code() -> list[tuple[str, str, str, dict[str, list]]]:
    snippets = [f"```{lang}\n{code}\n```" for lang, code in SNIPPETS]
    return [
        ("c-write-en", "en", "Write a {l} function that {t}.", {"l": PROG_LANGS, "t": CODE_TASKS}),
        (
            "c-implement-en",
            "en",
            "Implement {t2} in {l} with unit tests.",
            {
                "l": PROG_LANGS,
                "t2": [
                    "a thread-safe bounded queue",
                    "a trie with prefix search",
                    "Dijkstra's shortest path",
                    "a rate limiter (token bucket)",
                    "a min-heap from scratch",
                    "an event emitter",
                ],
            },
        ),
        (
            "c-howto-en",
            "en",
            "How do I {t} in {l}?",
            {
                "l": PROG_LANGS,
                "t": [
                    "read a file line by line",
                    "make an HTTP POST request with a JSON body",
                    "sort a list of objects by a field",
                    "run two tasks concurrently and wait for both",
                    "parse command-line arguments",
                    "connect to PostgreSQL",
                ],
            },
        ),
        (
            "c-error-en",
            "en",
            "I get this error in {e[0]}: {e[1]}. What does it mean and how do I fix it?",
            {"e": ERRORS},
        ),
        ("c-fix-en", "en", "This code has a bug, can you find it?\n\n{s}", {"s": snippets}),
        ("c-review-en", "en", "Review this code and suggest improvements:\n{s}", {"s": snippets}),
        ("c-explain-en", "en", "Explain what this code does, line by line:\n{s}", {"s": snippets}),
        ("c-test-en", "en", "Write unit tests for this:\n{s}", {"s": snippets}),
        ("c-sql-en", "en", "Write a SQL query that returns {d}.", {"d": DB_TASKS}),
        (
            "c-regex-en",
            "en",
            "Give me a regex that matches {r}.",
            {
                "r": [
                    "IPv4 addresses",
                    "ISO 8601 dates",
                    "US phone numbers with optional area code",
                    "hex colour codes",
                    "semantic version strings like 1.2.3-beta",
                    "email addresses but not ones ending in .test",
                ]
            },
        ),
        (
            "c-devops-en",
            "en",
            "Write a {tool} config that {job}.",
            {
                "tool": TOOLS,
                "job": [
                    "runs the tests on every pull request",
                    "serves a static site with gzip",
                    "deploys a Python web app",
                    "sets up a cache with a 1 hour TTL",
                    "builds a multi-stage image for a Go binary",
                ],
            },
        ),
        (
            "c-shell-en",
            "en",
            "Write a bash one-liner that {t}.",
            {
                "t": [
                    "finds the 10 largest files under the current directory",
                    "renames all .jpeg files to .jpg",
                    "counts lines of code per file extension",
                    "kills the process listening on port 8080",
                    "deletes git branches already merged into main",
                ]
            },
        ),
        (
            "c-refactor-en",
            "en",
            "Refactor this {l} code to be more idiomatic and faster:\n{s}",
            {"l": PROG_LANGS, "s": snippets},
        ),
        (
            "c-trace-en",
            "en",
            'Why does my script crash?\n\nTraceback (most recent call last):\n  File "app.py", line {n}, in '
            '<module>\n    main()\n  File "app.py", line {m}, in main\n    {stmt}\n{err}',
            {
                "n": [12, 40, 88],
                "m": [5, 21, 63],
                "stmt": ["cfg = load(path)['db']", "total = sum(row[2] for row in rows)", "user = users[uid]"],
                "err": [
                    "TypeError: 'NoneType' object is not subscriptable",
                    "KeyError: 'db'",
                    "IndexError: list index out of range",
                ],
            },
        ),
        (
            "c-algo-en",
            "en",
            "Given an array of n integers, {p} Write an O(n log n) solution in {l}.",
            {
                "l": PROG_LANGS,
                "p": [
                    "find the length of the longest increasing subsequence.",
                    "count the pairs whose sum is divisible by k.",
                    "return the minimum number of jumps to reach the end.",
                    "find the maximum sum of a non-empty subarray.",
                ],
            },
        ),
        (
            "c-how-en",
            "en",
            "{q}",
            {
                "q": [
                    "How do I center a div with CSS grid?",
                    "What's the difference between let and const in JavaScript?",
                    "How can I undo the last git commit but keep my changes?",
                    "Why is my Docker container exiting immediately?",
                    "How do I speed up a slow PostgreSQL query with a JOIN on two large tables?",
                    "What does the `yield` keyword do in Python?",
                    "How do I handle CORS errors in my Express API?",
                    "When should I use an interface vs an abstract class in Java?",
                    "How do I profile memory usage in a Node app?",
                    "How do I parametrize tests in pytest?",
                    "Explain async/await in JavaScript with an example.",
                    "How do I read environment variables in a Go program?",
                    "What's the best way to paginate a REST API?",
                    "How do I fix 'permission denied (publickey)' when pushing to GitHub?",
                ]
            },
        ),
        (
            "c-task-en",
            "en",
            "{q}",
            {
                "q": [
                    "Build a small Flask app with login and a SQLite database.",
                    "Create a React form with validation using hooks.",
                    "Make a CLI tool in Python that renames photos by their EXIF date.",
                    "Set up ESLint and Prettier for a TypeScript project.",
                    "Write a Makefile for a C project with src/ and include/ folders.",
                    "Scrape a web page with Playwright and save a screenshot.",
                    "Write a cron job that cleans /tmp every Sunday.",
                    "Add pagination to my Django REST Framework view.",
                    "Port this Python function to Rust.",
                    "Optimise my React list rendering, it lags with 10k rows.",
                ]
            },
        ),
        (
            "c-how-zh",
            "zh",
            "{q}",
            {
                "q": [
                    "Python 里怎么读取 JSON 文件？",
                    "git 怎么撤销上一次提交？",
                    "Docker 容器为什么一启动就退出？",
                    "JavaScript 中 let 和 const 有什么区别？",
                    "如何优化一个很慢的 SQL 查询？",
                    "React 组件为什么一直重复渲染？",
                    "怎么用 pandas 按列分组求和？",
                    "Linux 下怎么查看哪个进程占用了 8080 端口？",
                ]
            },
        ),
        (
            "c-how-ja",
            "ja",
            "{q}",
            {
                "q": [
                    "Pythonで JSON ファイルを読むには？",
                    "git で直前のコミットを取り消す方法は？",
                    "Docker コンテナがすぐ終了するのはなぜ？",
                    "JavaScript の let と const の違いは？",
                    "遅い SQL クエリを速くするには？",
                    "React のコンポーネントが何度も再レンダリングされる原因は？",
                    "pandas で列ごとに合計を出すには？",
                    "Linux でポート 8080 を使っているプロセスを調べるには？",
                ]
            },
        ),
        (
            "c-how-ru",
            "ru",
            "{q}",
            {
                "q": [
                    "Как прочитать JSON-файл в Python?",
                    "Как в git отменить последний коммит?",
                    "Почему Docker-контейнер сразу завершается?",
                    "Чем отличаются let и const в JavaScript?",
                    "Как ускорить медленный SQL-запрос?",
                    "Почему React-компонент постоянно перерисовывается?",
                    "Как сгруппировать данные в pandas и посчитать сумму?",
                    "Как узнать, какой процесс занимает порт 8080 в Linux?",
                ]
            },
        ),
        (
            "c-how-es",
            "es",
            "{q}",
            {
                "q": [
                    "¿Cómo leo un archivo JSON en Python?",
                    "¿Cómo deshago el último commit en git?",
                    "¿Por qué mi contenedor Docker se cierra al arrancar?",
                    "¿Qué diferencia hay entre let y const en JavaScript?",
                    "¿Cómo optimizo una consulta SQL lenta?",
                    "¿Cómo agrupo por columna en pandas?",
                ]
            },
        ),
        (
            "c-how-de",
            "de",
            "{q}",
            {
                "q": [
                    "Wie lese ich eine JSON-Datei in Python?",
                    "Wie mache ich den letzten Git-Commit rückgängig?",
                    "Warum beendet sich mein Docker-Container sofort?",
                    "Was ist der Unterschied zwischen let und const in JavaScript?",
                    "Wie beschleunige ich eine langsame SQL-Abfrage?",
                    "Wie gruppiere ich in pandas nach einer Spalte?",
                ]
            },
        ),
        (
            "c-how-fr",
            "fr",
            "{q}",
            {
                "q": [
                    "Comment lire un fichier JSON en Python ?",
                    "Comment annuler le dernier commit git ?",
                    "Pourquoi mon conteneur Docker s'arrête tout de suite ?",
                    "Quelle est la différence entre let et const en JavaScript ?",
                    "Comment accélérer une requête SQL lente ?",
                    "Comment grouper par colonne avec pandas ?",
                ]
            },
        ),
        (
            "c-write-fr",
            "fr",
            "Écris une fonction {l} qui {t}.",
            {
                "l": PROG_LANGS,
                "t": [
                    "inverse une liste chaînée",
                    "vérifie si une chaîne est un palindrome",
                    "fusionne deux tableaux triés",
                    "lit un fichier CSV et additionne une colonne",
                    "implémente un cache LRU",
                ],
            },
        ),
        (
            "c-sql-zh",
            "zh",
            "写一个 SQL 查询，{d}。",
            {
                "d": [
                    "找出消费总额前5的客户",
                    "找出从未下单的用户",
                    "求每个部门第二高的工资",
                    "找出重复的邮箱地址",
                    "按天计算销售额的累计值",
                ]
            },
        ),
        ("c-fix-ja", "ja", "このコードのバグを見つけてください。\n{s}", {"s": snippets}),
        ("c-fix-ru", "ru", "Найди ошибку в этом коде:\n{s}", {"s": snippets}),
        ("c-fix-zh", "zh", "这段代码有什么问题？\n{s}", {"s": snippets}),
        ("c-fix-es", "es", "¿Qué falla en este código?\n{s}", {"s": snippets}),
        # other languages
        (
            "c-write-zh",
            "zh",
            "用{l}写一个函数，{t}。",
            {
                "l": PROG_LANGS,
                "t": [
                    "反转链表",
                    "判断字符串是否是回文",
                    "合并两个有序数组",
                    "实现 LRU 缓存",
                    "计算编辑距离",
                    "解析 CSV 文件并求和",
                ],
            },
        ),
        ("c-error-zh", "zh", "我的{e[0]}代码报错：{e[1]}，怎么解决？", {"e": ERRORS}),
        (
            "c-write-es",
            "es",
            "Escribe una función en {l} que {t}.",
            {
                "l": PROG_LANGS,
                "t": [
                    "invierta una lista enlazada",
                    "compruebe si una cadena es un palíndromo",
                    "ordene un array de objetos por fecha",
                    "lea un archivo JSON",
                    "implemente una caché LRU",
                ],
            },
        ),
        ("c-fix-de", "de", "Warum funktioniert dieser Code nicht?\n\n{s}", {"s": snippets}),
        (
            "c-write-de",
            "de",
            "Schreib eine {l}-Funktion, die {t}.",
            {
                "l": PROG_LANGS,
                "t": [
                    "eine verkettete Liste umdreht",
                    "prüft, ob ein String ein Palindrom ist",
                    "zwei sortierte Arrays zusammenführt",
                    "eine CSV-Datei einliest",
                    "einen LRU-Cache implementiert",
                ],
            },
        ),
        (
            "c-sql-fr",
            "fr",
            "Écris une requête SQL qui renvoie {d}.",
            {
                "d": [
                    "les 5 meilleurs clients par montant total",
                    "les utilisateurs sans commande",
                    "le deuxième salaire le plus élevé",
                    "les doublons d'adresse e-mail",
                ]
            },
        ),
        ("c-explain-ja", "ja", "このコードが何をしているか説明してください。\n{s}", {"s": snippets}),
        (
            "c-write-ja",
            "ja",
            "{l}で{t}関数を書いてください。",
            {
                "l": PROG_LANGS,
                "t": [
                    "連結リストを反転する",
                    "回文かどうか判定する",
                    "LRUキャッシュを実装する",
                    "CSVを読み込んで合計する",
                ],
            },
        ),
        ("c-error-ru", "ru", "Ошибка в {e[0]}: {e[1]}. Что это значит и как исправить?", {"e": ERRORS}),
        (
            "c-write-ru",
            "ru",
            "Напиши функцию на {l}, которая {t}.",
            {
                "l": PROG_LANGS,
                "t": [
                    "разворачивает связный список",
                    "проверяет, является ли строка палиндромом",
                    "объединяет два отсортированных массива",
                    "реализует LRU-кэш",
                ],
            },
        ),
    ]


def _expand(label: str, templates: list[tuple[str, str, str, dict[str, list]]], rng: random.Random) -> list[Row]:
    rows: list[Row] = []
    for family, lang, template, slots in templates:
        seen: set[str] = set()
        for _ in range(PER_FAMILY * 4):
            if len(seen) >= PER_FAMILY:
                break
            text = _fill(rng, template, slots)
            if "{" in text and family.startswith(("s-", "r-")):
                text = _fill(rng, text, slots)  # nested slot ({x} inside a chosen value)
            if text in seen:
                continue
            seen.add(text)
            rows.append((text, label, family, lang))
    return rows


def generate() -> list[Row]:
    rng = random.Random(SEED)
    return _expand("simple", _simple(), rng) + _expand("reasoning", _reasoning(), rng) + _expand("code", _code(), rng)


if __name__ == "__main__":
    import collections

    rows = generate()
    print(len(rows), collections.Counter(r[1] for r in rows), collections.Counter(r[3] for r in rows))
    for r in rows[::40]:
        print(r)
