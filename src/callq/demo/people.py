"""Who the demo's leads are: Indian and some international names, companies, valid phones."""

import random
import re

import phonenumbers

from callq.phones import zone_for_number

_FIRST = (  # noqa: SIM905 (word lists read better as prose)
    "Aarav Aditi Akash Ananya Arjun Deepa Divya Farhan Gaurav Harini Imran Ishita Karan Kavya "
    "Lakshmi Manoj Meera Mohit Naveen Neha Nikhil Pooja Priya Rahul Rajesh Riya Rohan Sanjay "
    "Sneha Sunil Tanvi Varun Vikram Zoya Aisha Suresh Anil Swati Yash Nandini Ravi Shreya "
    "Abdul Gurpreet Joseph Fatima Venkat Bhavna Kiran Arvind"
).split()
_LAST = (  # noqa: SIM905 (word lists read better as prose)
    "Sharma Verma Iyer Nair Reddy Patel Shah Mehta Gupta Singh Kumar Das Banerjee Chatterjee "
    "Menon Pillai Rao Joshi Kulkarni Deshpande Agarwal Bose Khan Qureshi Fernandes D'Souza "
    "Gill Sandhu Naidu Hegde Mishra Pandey Tiwari Chauhan Thakur Malhotra Kapoor Bhat Sethi Jain"
).split()
_INTL = (
    ("US", "America/New_York", "John Miller|Emily Carter|Michael Brooks|Sarah Nguyen|David Kim"),
    ("GB", "Europe/London", "Oliver Smith|Amelia Jones|Harry Taylor|Priya Lal|George Evans"),
    ("AE", "Asia/Dubai", "Omar Al Farsi|Layla Haddad|Yusuf Rahman|Sara Mansour|Ahmed Saleh"),
    ("SG", "Asia/Singapore", "Wei Ling Tan|Jun Hao Lim|Mei Chen|Rajan Pillay|Siti Aminah"),
    ("AU", "Australia/Sydney", "Jack Wilson|Chloe Martin|Liam Walker|Ruby Thompson|Noah White"),
    ("DE", "Europe/Berlin", "Lukas Becker|Anna Schmidt|Jonas Weber|Lea Fischer|Felix Wagner"),
)
_COMPANY_HEAD = (  # noqa: SIM905 (word lists read better as prose)
    "Shree Ganesh Sai Kaveri Himalaya Sahyadri Narmada Lotus Orchid Pinnacle Sunrise Navya "
    "Apex Vridhi Trident Zenith Aarohan Kalpataru Sagar Indus Bharat Vistara Pragati Utkarsh"
).split()
_COMPANY_TAIL = (  # noqa: SIM905 (word lists read better as prose)
    "Traders|Textiles Pvt Ltd|Infotech|Logistics|Pharma|Realty|Motors|Foods|Exports|Clinic|"
    "Academy|Solar Solutions|Constructions|Enterprises|Digital|Hospitality|Agro Industries"
).split("|")

# --- phone numbers-------------------------------------------------------------------------
_UNIQUE_DIGITS = 7
_UNIQUE_SPAN = 8 * 10**6  # the unique tail runs 2000000..9999999


class Phones:
    """Valid E.164 mobiles, unique by construction: the last 7 digits encode the lead id
    (a bijection), the leading digits come from random numbers the region's pattern accepts."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.regions: dict[str, tuple] = {}

    def _region(self, region: str) -> tuple:
        if region not in self.regions:
            meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
            pattern = re.compile(meta.mobile.national_number_pattern)
            self.regions[region] = (str(meta.country_code), pattern, meta.mobile.example_number)
        return self.regions[region]

    def make(self, region: str, lead_id: int) -> str:
        code, pattern, example = self._region(region)
        tail = str(2 * 10**6 + (lead_id * 48271 + 1_234_567) % _UNIQUE_SPAN)
        head_length = len(example) - _UNIQUE_DIGITS
        rng = self.rng
        for attempt in range(400):
            # Any leading digits first (varied numbers), then the example's (a sure match).
            first = str(rng.randrange(1, 10)) if attempt < 200 else example[:2]
            head = first + str(rng.randrange(10**8)).zfill(8)
            national = head[:head_length] + tail
            if pattern.fullmatch(national):
                return f"+{code}{national}"
        raise RuntimeError(f"cannot make a valid {region} number for lead {lead_id}")


def person(
    rng: random.Random, phones: "Phones", region: str, lead_id: int
) -> tuple[str, str, str | None, str, str]:
    """Name, phone, timezone (None: the team's, a guess), email and company of one lead."""
    random_ = rng.random
    if random_() < 0.08:
        region, lead_tz, names = rng.choice(_INTL)
        name = rng.choice(names.split("|"))
        company = f"{name.split()[-1]} {rng.choice(('Group', 'Partners', 'Trading', 'Ltd'))}"
    else:
        lead_tz = None
        name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        company = f"{rng.choice(_COMPANY_HEAD)} {rng.choice(_COMPANY_TAIL)}"
    if random_() < 0.25:
        company = ""
    email = ""
    if random_() < 0.6:
        user = name.lower().replace(" ", ".").replace("'", "")
        domain = company.split()[0].lower() + ".com" if company and random_() < 0.5 else "gmail.com"
        email = f"{user}{rng.randint(1, 99)}@{domain}"
    phone = phones.make(region, lead_id)
    # As `add` and `import` do: the zone the number implies (the team's when it implies none).
    return name, phone, lead_tz or zone_for_number(phone), email, company
