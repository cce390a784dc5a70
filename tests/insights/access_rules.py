from tests.access import Rule, only

STAFF = ("ld", "admin")

RULES = [
    Rule("insights.funnel", lambda o, x: "/insights/funnel", only(STAFF)),
    Rule("insights.funnel", lambda o, x: "/insights/funnel?period=custom&from=2026-01-01"
         "&to=2026-03-31&audience=managers&unit=Ward+1", only(STAFF), note="(filtered)"),
    Rule("insights.funnel_csv", lambda o, x: "/insights/funnel.csv?period=month", only(STAFF),
         note="(this month)"),
    Rule("insights.funnel_csv", lambda o, x: "/insights/funnel.csv", only(STAFF)),
    Rule("insights.managers", lambda o, x: "/insights/managers", only(STAFF)),
    Rule("insights.managers", lambda o, x: "/insights/managers?sort=unit", only(STAFF),
         note="(sorted by unit)"),
]
