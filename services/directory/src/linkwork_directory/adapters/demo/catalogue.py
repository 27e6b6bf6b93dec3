"""What community offers look like: activities per need category, venues, organisations, places.

Synthetic: the neighbourhoods are real Leeds place names and the towns real English cities, but
every organisation, venue and service made from them is invented.
"""

from __future__ import annotations

from linkwork_contracts.codes import NeedCategory

N = NeedCategory

# need -> (activity, what the description says it is) ...
ACTIVITIES: dict[NeedCategory, tuple[tuple[str, str], ...]] = {
    N.LONELINESS_ISOLATION: (
        ("Lunch club", "a hot two-course lunch and good company"),
        ("Knit and natter", "knitting, crochet and a cuppa with neighbours"),
        ("Befriending service", "a trained volunteer who visits or calls every week"),
        ("Men's shed", "woodwork, repairs and conversation in a friendly workshop"),
        ("Coffee morning", "a relaxed drop-in with coffee, cake and conversation"),
    ),
    N.MOOD_ANXIETY_STRESS: (
        ("Wellbeing cafe", "peer support for anyone feeling low, anxious or stressed"),
        ("Mindfulness course", "a six-week course in mindfulness and breathing for everyday stress"),
        ("Talking group", "a small, confidential group to talk things through (not therapy)"),
        ("Stress control class", "practical ways to manage worry, sleep and low mood"),
    ),
    N.PHYSICAL_ACTIVITY: (
        ("Walking group", "gentle walks at an easy pace, finishing with a cup of tea"),
        ("Chair-based exercise", "seated exercise to build strength and balance"),
        ("Walking football", "football at walking pace: no running, no tackling"),
        ("Tai chi", "slow, flowing movement for balance and calm"),
        ("Couch to 5k", "a friendly beginners' running group"),
        ("Dance for health", "dancing to music from every decade, no experience needed"),
    ),
    N.WEIGHT_HEALTHY_EATING: (
        ("Cook and eat", "cooking simple, healthy meals on a budget and eating together"),
        ("Healthy weight group", "support and tips for healthy eating and losing weight"),
        ("Community kitchen", "learn to cook fresh food with seasonal vegetables"),
    ),
    N.DEBT_MONEY_BENEFITS: (
        ("Money advice drop-in", "free, confidential advice on debt, budgeting and bills"),
        ("Benefits check", "help to check and claim every benefit you are entitled to"),
        ("Food pantry", "low-cost weekly shop of groceries and fresh food"),
    ),
    N.HOUSING: (
        ("Housing advice", "advice on tenancies, repairs, rent arrears and homelessness"),
        ("Warm homes advice", "help with energy bills, insulation and keeping warm"),
    ),
    N.EMPLOYMENT_SKILLS_VOLUNTEERING: (
        ("Volunteering hub", "find a volunteering role that suits you"),
        ("Job club", "CV writing, job searching and interview practice"),
        ("Skills for work", "short courses to build confidence and work skills"),
    ),
    N.CARERS_SUPPORT: (
        ("Carers' group", "time out and peer support for unpaid carers"),
        ("Carers' advice line", "information and advice for people caring for a relative"),
    ),
    N.BEREAVEMENT: (
        ("Bereavement cafe", "a gentle space to talk with others who have lost someone"),
        ("Bereavement support group", "a small group meeting over eight weeks after a loss"),
    ),
    N.LONG_TERM_CONDITIONS: (
        ("Breathe easy", "singing and support for people living with lung conditions"),
        ("Diabetes self-management", "a course on living well with type 2 diabetes"),
        ("Pain management group", "gentle activity and peer support for persistent pain"),
        ("Memory cafe", "activities and company for people with dementia and their carers"),
    ),
    N.SUBSTANCE_USE: (
        ("Recovery cafe", "peer support for people in recovery from alcohol or drugs"),
        ("Drink less group", "support for cutting down on alcohol"),
    ),
    N.RELATIONSHIPS_FAMILY: (
        ("Family support", "practical help for families going through a tough time"),
        ("Parent and toddler group", "play, songs and support for parents of under-fives"),
        ("Relationship support", "support for couples and families under strain"),
    ),
    N.DIGITAL_INCLUSION: (
        ("Tech help", "one-to-one help with phones, tablets and getting online"),
        ("Online safety class", "staying safe online: scams, passwords and banking"),
        ("Device lending", "borrow a tablet with data and get help to use it"),
    ),
    N.ARTS_CREATIVITY_CULTURE: (
        ("Community choir", "singing together, no auditions and no need to read music"),
        ("Art class", "painting and drawing for beginners and improvers"),
        ("Creative writing group", "write stories and poems and share them if you wish"),
        ("Museum memories", "handling objects from the museum collection and sharing memories"),
        ("Ukulele group", "learn the ukulele and play together"),
    ),
    N.NATURE_GREEN_SPACE: (
        ("Community garden", "growing vegetables and flowers together"),
        ("Conservation volunteers", "outdoor work in local woods and parks"),
        ("Green gym", "practical conservation tasks that keep you fit"),
        ("Bird walk", "gentle walks to spot birds and wildlife"),
    ),
    N.LEARNING_EDUCATION: (
        ("English conversation", "practise speaking English in a friendly group"),
        ("Adult learning course", "free short courses in maths, English and computing"),
        ("Library reading group", "a monthly book group at the library"),
    ),
}
# Activities that also meet a second need.
ALSO_MEETS: dict[NeedCategory, NeedCategory] = {
    N.PHYSICAL_ACTIVITY: N.LONELINESS_ISOLATION,
    N.ARTS_CREATIVITY_CULTURE: N.MOOD_ANXIETY_STRESS,
    N.NATURE_GREEN_SPACE: N.MOOD_ANXIETY_STRESS,
    N.WEIGHT_HEALTHY_EATING: N.PHYSICAL_ACTIVITY,
    N.BEREAVEMENT: N.LONELINESS_ISOLATION,
}
# Activities best done over the phone or online.
REMOTE = {"Befriending service", "Carers' advice line", "Online safety class", "Benefits check"}

NEIGHBOURHOODS = (
    "Headingley",
    "Hyde Park",
    "Burley",
    "Kirkstall",
    "Meanwood",
    "Chapel Allerton",
    "Woodhouse",
    "Little London",
    "Adel",
    "Cookridge",
    "Weetwood",
    "West Park",
    "Moortown",
    "Potternewton",
    "Bramley",
    "Armley",
    "Holbeck",
    "City Centre",
)
VENUE_KINDS = (
    "Community Centre",
    "Methodist Church Hall",
    "Library",
    "Park",
    "Sports Centre",
    "Community Hub",
    "Parish Rooms",
    "Allotments",
    "Health Centre",
    "Mosque Community Room",
    "Tenants' Hall",
)
ORGANISATION_KINDS = (
    "Community Association",
    "Wellbeing Network",
    "Neighbourhood Trust",
    "Arts Collective",
    "Carers' Network",
    "Advice Centre",
    "Older People's Forum",
    "Recovery Community",
    "Green Spaces Trust",
    "Learning Partnership",
    "Family Hub",
    "Digital Champions",
)
LANGUAGES = (
    ("ur", "Urdu"),
    ("pa", "Punjabi"),
    ("pl", "Polish"),
    ("bn", "Bengali"),
    ("ar", "Arabic"),
    ("so", "Somali"),
    ("ro", "Romanian"),
    ("bfi", "British Sign Language"),
)

# Approximate centres of English cities (to 0.01 degree) and their postcode areas, for directories larger
# than one PCN's: services are spread over them in proportion to the weight (roughly population).
TOWNS: tuple[tuple[str, str, float, float, int], ...] = (
    ("London", "E", 51.51, -0.13, 90),
    ("Birmingham", "B", 52.48, -1.90, 12),
    ("Manchester", "M", 53.48, -2.24, 10),
    ("Leeds", "LS", 53.80, -1.55, 8),
    ("Liverpool", "L", 53.41, -2.98, 6),
    ("Sheffield", "S", 53.38, -1.47, 6),
    ("Bristol", "BS", 51.45, -2.59, 5),
    ("Newcastle", "NE", 54.98, -1.61, 4),
    ("Nottingham", "NG", 52.95, -1.15, 4),
    ("Leicester", "LE", 52.64, -1.13, 4),
    ("Bradford", "BD", 53.79, -1.75, 4),
    ("Coventry", "CV", 52.41, -1.51, 3),
    ("Hull", "HU", 53.74, -0.33, 3),
    ("Plymouth", "PL", 50.38, -4.14, 3),
    ("Stoke-on-Trent", "ST", 53.00, -2.18, 3),
    ("Southampton", "SO", 50.91, -1.40, 3),
    ("Derby", "DE", 52.92, -1.48, 3),
    ("Portsmouth", "PO", 50.80, -1.09, 2),
    ("Norwich", "NR", 52.63, 1.30, 2),
    ("York", "YO", 53.96, -1.08, 2),
    ("Exeter", "EX", 50.72, -3.53, 2),
    ("Cambridge", "CB", 52.21, 0.12, 2),
    ("Oxford", "OX", 51.75, -1.26, 2),
    ("Brighton", "BN", 50.82, -0.14, 3),
    ("Reading", "RG", 51.45, -0.97, 2),
    ("Preston", "PR", 53.76, -2.70, 2),
    ("Sunderland", "SR", 54.91, -1.38, 2),
    ("Middlesbrough", "TS", 54.57, -1.23, 2),
    ("Carlisle", "CA", 54.89, -2.93, 1),
    ("Lincoln", "LN", 53.23, -0.54, 1),
    ("Ipswich", "IP", 52.06, 1.16, 1),
    ("Gloucester", "GL", 51.86, -2.24, 1),
    ("Peterborough", "PE", 52.57, -0.24, 2),
    ("Wolverhampton", "WV", 52.59, -2.13, 2),
    ("Bolton", "BL", 53.58, -2.43, 2),
    ("Huddersfield", "HD", 53.65, -1.78, 2),
)
