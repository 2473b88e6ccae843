"""A labelled pair set for the semantic response cache: (cached question, new question, should_hit).

Deterministic (seeded). Each *family* is one intent with slots and several phrasing templates:

* paraphrase pairs (``should_hit``): the same slots in two different templates;
* near-miss pairs (must NOT hit): one slot changed (category ``entity``, ``number``, ``date``, ``unit``,
  ``language``, ``topic``) or the question negated (``negation``), in the same or another template.

Families are split into a *fit* split and a *held-out* split that share no family, so no template and
(almost) no slot value of the held-out split is seen when fitting. Every category appears in both.

    python -m tests.semantic_data.gen_cache_pairs     # prints counts per split and category
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

SEED = 20261125


@dataclass(frozen=True, slots=True)
class Pair:
    cached: str
    new: str
    should_hit: bool
    category: str  # "paraphrase" or the near-miss kind
    family: str


@dataclass(slots=True)
class Family:
    name: str
    templates: list[str]
    slots: dict[str, list[str]]
    swap: dict[str, str]  # slot -> near-miss category when that slot changes
    negations: list[tuple[str, str]] = field(default_factory=list)  # (positive, negated) template pairs


COUNTRIES = ["France", "Spain", "Italy", "Germany", "Japan", "Brazil", "Canada", "Egypt", "Kenya", "Norway",
             "Peru", "Vietnam", "Poland", "Chile", "Greece", "Turkey", "Mexico", "India", "Sweden", "Portugal"]
CITIES = ["Paris", "London", "Berlin", "Tokyo", "Madrid", "Rome", "Chicago", "Toronto", "Sydney", "Lisbon",
          "Vienna", "Prague", "Dublin", "Boston", "Seattle", "Oslo", "Athens", "Cairo", "Lima", "Denver"]
PEOPLE = ["Marie Curie", "Isaac Newton", "Ada Lovelace", "Nikola Tesla", "Charles Darwin", "Alan Turing",
          "Frida Kahlo", "Leonardo da Vinci", "Rosalind Franklin", "Albert Einstein", "Jane Austen",
          "Galileo Galilei", "Grace Hopper", "Mahatma Gandhi", "Nelson Mandela", "Wolfgang Mozart"]
COMPANIES = ["Apple", "Microsoft", "Google", "Amazon", "Netflix", "Tesla", "Nvidia", "Spotify", "Airbnb", "Uber",
             "Intel", "Oracle", "Adobe", "Samsung", "Toyota", "Siemens"]
LANGS_A = ["Python", "Rust", "Java", "JavaScript", "Go", "Ruby", "C++", "Kotlin"]
LANGS_B = ["TypeScript", "Swift", "PHP", "Scala", "Haskell", "C#", "Elixir", "Perl"]
MONTHS = ["January", "February", "March", "April", "June", "July", "August", "September", "October",
          "November", "December"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "today", "tomorrow"]
YEARS = ["1990", "1995", "2000", "2005", "2010", "2015", "2018", "2020", "2022"]

FIT_FAMILIES = [
    Family("capital", [
        "What is the capital of {country}?",
        "Tell me the capital city of {country}.",
        "Which city is the capital of {country}?",
        "What's {country}'s capital?",
        "Name the capital of {country}.",
    ], {"country": COUNTRIES}, {"country": "entity"}),
    Family("convert", [
        "How many {u2} are in {n} {u1}?",
        "Convert {n} {u1} to {u2}.",
        "What is {n} {u1} in {u2}?",
        "{n} {u1} equals how many {u2}?",
        "Can you convert {n} {u1} into {u2}?",
    ], {"n": ["3", "5", "12", "20", "42", "100", "250", "7.5"], "u1": ["kilometers", "kilograms", "liters", "feet"],
        "u2": ["miles", "pounds", "gallons", "meters"]},
        {"n": "number", "u1": "unit", "u2": "unit"}),
    Family("code_a", [
        "How do I {task} in {lang}?",
        "What's the best way to {task} using {lang}?",
        "Show me how to {task} in {lang}.",
        "In {lang}, how can I {task}?",
        "How would you {task} with {lang}?",
    ], {"task": ["reverse a string", "read a file line by line", "sort a list of numbers", "parse JSON",
                 "make an HTTP request", "remove duplicates from a list", "check if a key exists in a map",
                 "get the current timestamp", "split a string by commas", "write a unit test"],
        "lang": LANGS_A}, {"lang": "language"}),
    Family("trip", [
        "Plan a 3-day trip to {city} in {month}.",
        "Suggest a three day itinerary for {city} in {month}.",
        "What should I do on a 3 day visit to {city} in {month}?",
        "I'm visiting {city} for 3 days in {month}, what do you recommend?",
    ], {"city": CITIES, "month": MONTHS}, {"city": "entity", "month": "date"}),
    Family("multiply", [
        "What is {a} times {b}?",
        "Calculate {a} multiplied by {b}.",
        "What do you get when you multiply {a} by {b}?",
        "Compute the product of {a} and {b}.",
    ], {"a": ["12", "17", "23", "36", "48", "125", "250", "999"], "b": ["4", "7", "9", "13", "15", "21", "64"]},
        {"a": "number", "b": "number"}),
    Family("dogs", [], {"food": ["grapes", "chocolate", "apples", "bananas", "cheese", "onions", "carrots",
                                 "blueberries", "peanut butter", "watermelon", "avocado", "popcorn"]},
        {}, [
            ("Can dogs eat {food}?", "Can dogs not eat {food}?"),
            ("Is it safe for my dog to eat {food}?", "Is it unsafe for my dog to eat {food}? Why not?"),
            ("Are {food} good for dogs?", "Why are {food} not good for dogs?"),
            ("Should I give my dog {food}?", "Why should I never give my dog {food}?"),
        ]),
    Family("company", [
        "When was {company} founded?",
        "What year was {company} founded?",
        "Tell me the founding year of {company}.",
        "In which year did {company} get founded?",
    ], {"company": COMPANIES}, {"company": "entity"}),
    Family("schedule", [
        "What time does the {place} open on {day}?",
        "When does the {place} open on {day}?",
        "What are the {place} opening hours on {day}?",
        "On {day}, when is the {place} open?",
    ], {"place": ["library", "museum", "post office", "pharmacy", "city pool", "farmers market"], "day": DAYS},
        {"day": "date", "place": "topic"}),
]

HELDOUT_FAMILIES = [
    Family("bio", [
        "Who was {person}?",
        "Tell me about {person}.",
        "Give me a short biography of {person}.",
        "What is {person} known for?",
        "Can you summarize the life of {person}?",
    ], {"person": PEOPLE}, {"person": "entity"}),
    Family("temperature", [
        "What is {n} degrees {u1} in {u2}?",
        "Convert {n} degrees {u1} to {u2}.",
        "How much is {n} °{s1} in {u2}?",
        "{n} degrees {u1} is how many degrees {u2}?",
    ], {"n": ["0", "15", "25", "37", "40", "68", "100", "212"], "u1": ["Celsius", "Fahrenheit"],
        "u2": ["Kelvin", "Fahrenheit", "Celsius"], "s1": ["C", "F"]},
        {"n": "number", "u2": "unit"}),
    Family("code_b", [
        "Write a {lang} function that {task}.",
        "Can you give me {lang} code that {task}?",
        "I need a function in {lang} which {task}.",
        "Implement something in {lang} that {task}.",
    ], {"task": ["checks whether a number is prime", "computes the factorial of n", "merges two sorted arrays",
                 "counts the words in a sentence", "finds the largest element of an array",
                 "validates an email address", "converts a string to title case", "flattens a nested list"],
        "lang": LANGS_B}, {"lang": "language", "task": "topic"}),
    Family("population", [
        "What was the population of {city} in {year}?",
        "How many people lived in {city} in {year}?",
        "Population of {city} in the year {year}?",
        "In {year}, how many inhabitants did {city} have?",
    ], {"city": ["Tokyo", "Mumbai", "Lagos", "Shanghai", "Istanbul", "Jakarta", "Karachi", "Dhaka", "Manila",
                 "Bogota", "Nairobi", "Hanoi"], "year": YEARS}, {"city": "entity", "year": "date"}),
    Family("percent", [
        "What is {p}% of {n}?",
        "Calculate {p} percent of {n}.",
        "How much is {p} percent of {n}?",
        "Find {p}% of {n} for me.",
    ], {"p": ["5", "10", "15", "20", "25", "30", "45", "60", "75"], "n": ["80", "120", "200", "360", "1500", "2400"]},
        {"p": "number", "n": "number"}),
    Family("recipes", [], {"dish": ["lasagna", "pancakes", "curry", "brownies", "risotto", "chili", "omelette",
                                    "banana bread", "pad thai", "tacos", "quiche", "meatballs"],
                           "ing": ["eggs", "milk", "butter", "garlic", "cheese", "gluten", "sugar", "nuts"]},
        {}, [
            ("Give me a recipe for {dish} with {ing}.", "Give me a recipe for {dish} without {ing}."),
            ("How do I make {dish} using {ing}?", "How do I make {dish} without using {ing}?"),
            ("I want to cook {dish} with {ing}, how?", "I want to cook {dish} but not with {ing}, how?"),
        ]),
    Family("flight", [
        "How long is the flight from {city} to {city2} on {month} {d}?",
        "Flight duration from {city} to {city2} on {month} {d}?",
        "On {month} {d}, how long does it take to fly from {city} to {city2}?",
    ], {"city": CITIES[:10], "city2": CITIES[10:], "month": MONTHS, "d": ["3", "9", "14", "21", "28"]},
        {"city2": "entity", "month": "date", "d": "date"}),
    Family("translate", [
        "Translate '{phrase}' into {nl}.",
        "How do you say '{phrase}' in {nl}?",
        "What is '{phrase}' in {nl}?",
        "Say '{phrase}' in {nl}, please.",
    ], {"phrase": ["good morning", "thank you very much", "where is the station", "I am hungry",
                   "see you tomorrow", "how much does it cost"],
        "nl": ["French", "Spanish", "German", "Italian", "Japanese", "Portuguese", "Dutch", "Korean"]},
        {"nl": "language"}),
    Family("sleep", [], {"cond": ["I have a cold", "I have a headache", "I am pregnant", "I have insomnia",
                                  "I have high blood pressure", "I have a fever", "I am on antibiotics"],
                         "thing": ["coffee", "ibuprofen", "alcohol", "melatonin", "exercise", "green tea"]},
        {}, [
            ("Is {thing} okay when {cond}?", "Why is {thing} not okay when {cond}?"),
            ("Should I take {thing} when {cond}?", "Should I avoid {thing} when {cond}?"),
            ("Is it fine to have {thing} if {cond}?", "Is it never fine to have {thing} if {cond}?"),
        ]),
]

# Written after the verify rules were last changed and never used to tune anything: a check that the
# held-out numbers are not an artefact of having looked at the held-out split while writing the rules.
FRESH_FAMILIES = [
    Family("stock", [
        "What was the {company} share price on {month} {d}?",
        "How much did one {company} share cost on {month} {d}?",
        "Tell me {company}'s stock price on {month} {d}.",
        "On {month} {d}, what was {company} trading at?",
    ], {"company": COMPANIES, "month": MONTHS, "d": ["2", "5", "11", "17", "23", "30"]},
        {"company": "entity", "month": "date", "d": "date"}),
    Family("distance", [
        "How far is {city} from {city2} in {unit}?",
        "What is the distance between {city} and {city2} in {unit}?",
        "Distance from {city} to {city2}, in {unit}?",
        "How many {unit} is it from {city} to {city2}?",
    ], {"city": CITIES[:10], "city2": CITIES[10:], "unit": ["miles", "kilometers", "nautical miles"]},
        {"city": "entity", "unit": "unit"}),
    Family("concept", [
        "Explain {concept} in {lang}.",
        "How do {concept} work in {lang}?",
        "Can you explain how {concept} work in {lang}?",
        "What are {concept} in {lang} and how do I use them?",
    ], {"concept": ["closures", "generators", "decorators", "iterators", "exceptions", "interfaces", "lambdas",
                    "enums", "modules", "traits"], "lang": LANGS_A + LANGS_B},
        {"lang": "language", "concept": "topic"}),
    Family("calories", [
        "How many calories are in {n} grams of {food}?",
        "Calories in {n} g of {food}?",
        "What's the calorie count of {n} grams of {food}?",
        "If I eat {n} grams of {food}, how many calories is that?",
    ], {"n": ["50", "100", "150", "200", "250", "300", "500"], "food": ["rice", "oats", "chicken breast", "salmon",
                                                                        "almonds", "lentils", "tofu", "pasta"]},
        {"n": "number", "food": "topic"}),
    Family("visa", [], {"country": COUNTRIES, "purpose": ["tourism", "business", "study", "a family visit"]}, {}, [
        ("Do I need a visa to visit {country} for {purpose}?", "Can I visit {country} for {purpose} without a visa?"),
        ("Is a visa required for {country} if I travel for {purpose}?",
         "Is a visa not required for {country} if I travel for {purpose}?"),
        ("Which documents do I need for {country} when travelling for {purpose}?",
         "Which documents do I not need for {country} when travelling for {purpose}?"),
    ]),
]


def _fill(template: str, values: dict[str, str]) -> str:
    out = template.format(**values)
    return out[0].upper() + out[1:]


def _values(fam: Family, rng: random.Random) -> dict[str, str]:
    vals = {k: rng.choice(v) for k, v in fam.slots.items()}
    if fam.name == "temperature":  # keep the symbol and the unit name consistent, and the target different
        vals["s1"] = vals["u1"][0]
        if vals["u2"] == vals["u1"]:
            vals["u2"] = "Kelvin"
    return vals


def _changed(fam: Family, vals: dict[str, str], rng: random.Random) -> tuple[dict[str, str], str] | None:
    slot = rng.choice(sorted(fam.swap))
    choices = [v for v in fam.slots[slot] if v != vals[slot]]
    if not choices:
        return None
    new = dict(vals)
    new[slot] = rng.choice(choices)
    if fam.name == "temperature" and new["u2"] == new["u1"]:
        return None
    category = fam.swap[slot]
    if fam.name == "temperature" and slot == "u2":
        category = "unit"
    return new, category


def family_pairs(fam: Family, rng: random.Random, n_para: int, n_miss: int) -> list[Pair]:
    pairs: list[Pair] = []
    seen: set[tuple[str, str]] = set()
    tries = 0
    while sum(p.should_hit for p in pairs) < n_para and tries < n_para * 20:
        tries += 1
        vals = _values(fam, rng)
        if fam.negations:
            i, j = rng.sample(range(len(fam.negations)), 2)
            a, b = _fill(fam.negations[i][0], vals), _fill(fam.negations[j][0], vals)
        else:
            i, j = rng.sample(range(len(fam.templates)), 2)
            a, b = _fill(fam.templates[i], vals), _fill(fam.templates[j], vals)
        if (a, b) not in seen:
            seen.add((a, b))
            pairs.append(Pair(a, b, True, "paraphrase", fam.name))
    tries = 0
    while sum(not p.should_hit for p in pairs) < n_miss and tries < n_miss * 20:
        tries += 1
        vals = _values(fam, rng)
        if fam.negations:
            i, j = rng.randrange(len(fam.negations)), rng.randrange(len(fam.negations))
            a, b = _fill(fam.negations[i][0], vals), _fill(fam.negations[j][1], vals)
            category = "negation"
        else:
            changed = _changed(fam, vals, rng)
            if changed is None:
                continue
            new, category = changed
            i = rng.randrange(len(fam.templates))
            j = i if rng.random() < 0.5 else rng.randrange(len(fam.templates))
            a, b = _fill(fam.templates[i], vals), _fill(fam.templates[j], new)
        if (a, b) not in seen and a != b:
            seen.add((a, b))
            pairs.append(Pair(a, b, False, category, fam.name))
    return pairs


def generate(split: str = "fit", seed: int = SEED, per_family: int = 60) -> list[Pair]:
    """The pairs of one split ("fit", "heldout" or "fresh"): ``per_family`` paraphrases and near-misses per
    family."""
    families = {"fit": FIT_FAMILIES, "heldout": HELDOUT_FAMILIES, "fresh": FRESH_FAMILIES}[split]
    rng = random.Random(f"{seed}:{split}")
    out: list[Pair] = []
    for fam in families:
        out.extend(family_pairs(fam, rng, per_family, per_family))
    return out


def main() -> None:
    from collections import Counter

    for split in ("fit", "heldout", "fresh"):
        pairs = generate(split)
        print(split, len(pairs), dict(sorted(Counter(p.category for p in pairs).items())))


if __name__ == "__main__":
    main()
