"""Build the site's page tree and taxonomy from the facts in shared/seeds/.

Idempotent: every object is found by its slug first. Pages and snippets that already
exist are left exactly as they are, so running the loader again never duplicates
anything and never overwrites what an editor has changed since.
"""

import datetime
from dataclasses import dataclass, field

from django.apps import apps as django_apps
from django.db import transaction
from django.utils.text import slugify
from wagtail.models import Page, Site

from pages import roles
from pages.models import ContentPage, HomePage, OurWorkPage, SiteFooter
from partnerships.models import (
    Country,
    HealthTheme,
    PartnerOrganisation,
    ProgrammePage,
    ProjectIndexPage,
    ProjectPage,
)
from policy.models import (
    PolicyWorkFeaturedPublication,
    PolicyWorkPage,
    PublicationIndexPage,
    PublicationPage,
    PublicationType,
    Topic,
)


def p(*paragraphs: str) -> dict:
    return {"type": "paragraph", "value": "".join(f"<p>{text}</p>" for text in paragraphs)}


def heading(text: str, level: str = "h2") -> dict:
    return {"type": "heading", "value": {"text": text, "level": level}}


# Where each seeded figure comes from, as the statistic's "Source" (#15, #16): the seed
# page it is taken from, or the organisation that page cites, with a date where the
# seed gives one.
BRIEFING_2024 = "THET, General Election 2024 Briefing (June 2024)"
ABOUT_US = "THET, About us"
WHO = "World Health Organization estimate"
HPS_RESULTS = "THET, Health Partnership Scheme results (2010–2018)"
EXPERTS_REPORT = "THET, Experts in Our Midst (2023)"


def stat(figure: str, label: str, source: str = "") -> dict:
    return {"figure": figure, "label": label, "source": source}


def statistics(heading_text: str, *items: dict) -> dict:
    return {"type": "statistics", "value": {"heading": heading_text, "statistics": list(items)}}


def stat_stream(*items: dict) -> list[dict]:
    return [{"type": "statistic", "value": item} for item in items]


# --- Taxonomy -----------------------------------------------------------------------

COUNTRIES = [
    ("China", "CN"),
    ("India", "IN"),
    ("Nepal", "NP"),
    ("Tanzania", "TZ"),
]

THEMES = [
    ("NCDs", "ncds", "Non-communicable diseases such as cancer, diabetes and heart disease."),
    ("Sexual and Reproductive Health", "sexual-and-reproductive-health", ""),
    ("Mental Health", "mental-health", ""),
    ("Maternal and Newborn Health", "maternal-and-newborn-health", ""),
    ("Surgery and Anaesthesia", "surgery-and-anaesthesia", ""),
]

# name, slug, location, country name, website
PARTNERS = [
    ("NICE", "nice", "uk", None, ""),
    (
        "China National Health Development Research Center (CNHDRC)",
        "cnhdrc",
        "overseas",
        "China",
        "",
    ),
    ("Nottingham University Hospital NHS Trust", "nottingham-university-hospital", "uk", None, ""),
    ("Maternity Hospital, Kathmandu", "maternity-hospital-kathmandu", "overseas", "Nepal", ""),
    (
        "Central and North West London NHS Foundation Trust",
        "central-and-north-west-london-nhs-ft",
        "uk",
        None,
        "",
    ),
    ("Mirembe Hospital and Nursing School", "mirembe-hospital", "overseas", "Tanzania", ""),
]

PUBLICATION_TYPES = [
    ("Report", "report", "Reports"),
    ("Discussion paper", "discussion-paper", "Discussion papers"),
    ("Policy paper", "policy-paper", "Policy papers"),
    ("Briefing", "briefing", "Briefings"),
]

TOPICS = [
    ("Diaspora", "diaspora"),
    ("Health workforce", "health-workforce"),
    ("UK aid", "uk-aid"),
    ("Health partnerships", "health-partnerships"),
    ("Health worker migration", "health-worker-migration"),
]


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def record(self, label: str, created: bool) -> None:
        (self.created if created else self.kept).append(label)


def upsert_snippet(report: SeedReport, model, slug: str, **defaults):
    obj, created = model.objects.get_or_create(slug=slug, defaults=defaults)
    report.record(f"{model._meta.verbose_name}: {obj}", created)
    return obj


def add_page(report: SeedReport, parent: Page, model, slug: str, **fields) -> Page:
    """Create and publish ``model`` under ``parent`` unless a page with ``slug`` exists."""
    existing = parent.get_children().filter(slug=slug).first()
    if existing is not None:
        report.record(f"page: {existing.url_path}", False)
        return existing.specific
    m2m = {
        k: fields.pop(k)
        for k in list(fields)
        if isinstance(fields[k], list | tuple) and k in {f.name for f in model._meta.many_to_many}
    }
    page = model(slug=slug, **fields)
    for name, values in m2m.items():
        getattr(page, name).set(values)
    parent.add_child(instance=page)
    page.save_revision().publish()
    report.record(f"page: {page.url_path}", True)
    return page


def build_taxonomy(report: SeedReport) -> dict:
    countries = {
        name: upsert_snippet(report, Country, slugify(name), name=name, iso_code=code)
        for name, code in COUNTRIES
    }
    themes = {
        name: upsert_snippet(report, HealthTheme, slug, name=name, description=description)
        for name, slug, description in THEMES
    }
    partners = {
        name: upsert_snippet(
            report,
            PartnerOrganisation,
            slug,
            name=name,
            location=location,
            country=countries.get(country),
            website=website,
        )
        for name, slug, location, country, website in PARTNERS
    }
    types = {
        slug: upsert_snippet(report, PublicationType, slug, name=name, plural=plural)
        for name, slug, plural in PUBLICATION_TYPES
    }
    topics = {slug: upsert_snippet(report, Topic, slug, name=name) for name, slug in TOPICS}
    return {
        "countries": countries,
        "themes": themes,
        "partners": partners,
        "types": types,
        "topics": topics,
    }


# --- Pages --------------------------------------------------------------------------


def build_home(report: SeedReport) -> HomePage:
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site and isinstance(site.root_page.specific, HomePage):
        report.record("page: /", False)
        return site.root_page.specific
    root = Page.get_first_root_node()
    # Wagtail's install creates a plain "Welcome" page; it is replaced by the real home.
    for welcome in root.get_children().filter(slug="home"):
        if welcome.specific_class is Page:
            welcome.delete()
    home = HomePage(
        title="THET: Tropical Health & Education Trust",
        slug="home",
        seo_title="THET – training health workers through health partnerships",
        headline="Training health workers, in partnership, across the world",
        introduction=(
            "THET, soon to be Global Health Partnerships, links hospitals, universities and "
            "royal colleges in the UK with health institutions in low- and middle-income "
            "countries so that health workers can learn from one another."
        ),
        vision="A world where everyone has access to healthcare",
        mission="Working in partnership to support health workers across the world",
        statistics=stat_stream(
            stat("100,000+", "health workers reached in the past ten years", BRIEFING_2024),
            stat("31", "countries where we have worked in that time", BRIEFING_2024),
            stat(
                "130+",
                "UK health institutions we have worked with over the last decade",
                BRIEFING_2024,
            ),
            stat("200+", "health partnerships supported", ABOUT_US),
        ),
        body=[
            heading("Why health workers"),
            p(
                "One in seven people will never be seen by a qualified health worker. "
                "Where care does exist, clinics are often short of staff, equipment and "
                "training, and patients pay the price.",
                "Since 1988 we have answered this with health partnerships: long-term links "
                "between UK and overseas institutions that train staff where the need is "
                "identified locally, and bring lessons back to the NHS.",
            ),
        ],
    )
    root.add_child(instance=home)
    home.save_revision().publish()
    if site:
        site.root_page = home
        site.site_name = "THET"
        site.save()
    else:
        Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="THET"
        )
    report.record("page: /", True)
    return home


def build_about(report: SeedReport, home: HomePage) -> ContentPage:
    return add_page(
        report,
        home,
        ContentPage,
        "about",
        title="About THET",
        show_in_menus=True,
        introduction=(
            "THET is a global health organisation that trains and supports health workers "
            "through health partnerships, so that people in low- and middle-income countries "
            "can get the essential care they need."
        ),
        body=[
            {
                "type": "highlights",
                "value": {
                    "heading": "Our vision and mission",
                    "items": [
                        {
                            "title": "Our vision",
                            "text": "A world where everyone has access to healthcare",
                        },
                        {
                            "title": "Our mission",
                            "text": "Working in partnership to support health workers "
                            "across the world",
                        },
                    ],
                },
            },
            p(
                "Since 1988 we have supported health workers around the world, improving "
                "patient care through training that answers local needs. We work with a wide "
                "range of partners towards a world where everyone can get affordable, good "
                "quality healthcare.",
            ),
            statistics(
                "Our reach",
                stat(
                    "74,000+",
                    "health workers reached by THET in the past six years",
                    ABOUT_US,
                ),
                stat("34", "countries in Africa, the Middle East and Asia", ABOUT_US),
            ),
            statistics(
                "The need",
                stat(
                    "1 in 7",
                    "people worldwide will never see a qualified health worker",
                    ABOUT_US,
                ),
                stat("7.2 million", "additional health workers needed worldwide", WHO),
                stat(
                    "13 million",
                    "more health workers to recruit and train in the decades to come",
                    WHO,
                ),
            ),
            heading("Our approach"),
            p(
                "For more than twenty-five years we have built up a way of working that puts "
                "the skills of UK health professionals at the service of training needs that "
                "overseas institutions identify for themselves.",
                "The NHS has been at the centre of it. In the past four years alone, over 100 "
                "NHS institutions and 2,000 NHS staff gave more than 87,000 days of their time "
                "to work alongside colleagues overseas, and came home with new skills, "
                "stronger leadership and fresh ideas about care with limited resources.",
            ),
            statistics(
                "NHS involvement in four years",
                stat("100+", "NHS institutions involved", ABOUT_US),
                stat("2,000", "NHS staff who volunteered", ABOUT_US),
                stat("87,000+", "days of NHS staff time given", ABOUT_US),
            ),
            heading("What are health partnerships?"),
            p(
                "A health partnership is a lasting collaboration between a health institution "
                "in the UK and one in a low- or middle-income country: hospitals, universities, "
                "professional bodies and research centres. Volunteers share what they know to "
                "train health workers and improve services, always in answer to needs the "
                "overseas partner has set.",
                "Partnerships are long-term but not permanent, and both sides learn. Eight "
                "Principles of Partnership guide how they work and help them improve.",
            ),
            {
                "type": "highlights",
                "value": {
                    "heading": "Our values",
                    "items": [
                        {
                            "title": "Responsive, not prescriptive",
                            "text": "Work answers needs identified locally and fits each "
                            "country's own health policies and systems.",
                        },
                        {
                            "title": "Innovative",
                            "text": "We try new and flexible approaches while building on "
                            "practice that is known to work.",
                        },
                        {
                            "title": "Respect and reciprocity",
                            "text": "Partnership brings benefits to both sides, and we learn "
                            "together.",
                        },
                        {
                            "title": "Sustainable",
                            "text": "We aim for high-quality work with evidence of effect "
                            "that leads to change which lasts.",
                        },
                    ],
                },
            },
        ],
    )


def build_our_work(report: SeedReport, home: HomePage) -> OurWorkPage:
    return add_page(
        report,
        home,
        OurWorkPage,
        "our-work",
        title="Our Work",
        show_in_menus=True,
        introduction=(
            "We run health workforce programmes, support health partnerships with grants and "
            "advice, and argue for policy that values health workers everywhere."
        ),
        body=[
            p(
                "We have run large programmes to develop the health workforce in Ethiopia, "
                "Somaliland and Zambia, and have a strong presence in Tanzania and Uganda.",
                "Through the Health Partnership Scheme we gave training, advice and grants to "
                "projects involving more than 200 UK and overseas hospitals, universities and "
                "professional associations across 34 countries in Africa, Asia and the Middle "
                "East. With Johnson &amp; Johnson we train health workers "
                "in surgical and anaesthetic care and community health, with a focus on "
                "maternal and disability care.",
            ),
        ],
    )


PUBLICATIONS = [
    {
        "slug": "experts-in-our-midst",
        "title": (
            "Experts in Our Midst: Recognising the contribution NHS diaspora staff make "
            "to global health"
        ),
        "type": "report",
        "date": datetime.date(2023, 11, 1),
        "topics": ["diaspora", "health-workforce"],
        "summary": (
            "Our report on NHS diaspora staff, who make up 15% of the NHS workforce: the scale "
            "of their work for health in their countries of heritage, the barriers they face, "
            "and how to make their voices heard."
        ),
        "body": [
            p(
                "Staff from the diaspora have always been part of health partnerships, but "
                "their expertise and leadership are too often overlooked, and the NHS risks "
                "its global standing as a result.",
                "This report sets their contribution in its wider context, much of it hostile, "
                "and brings forward voices that are rarely heard: how many diaspora staff are "
                "involved, what stands in their way, and how their impact on global health "
                "could be amplified.",
            ),
            statistics("", stat("15%", "of the NHS workforce are diaspora staff", EXPERTS_REPORT)),
        ],
    },
    {
        "slug": "from-competition-to-collaboration",
        "title": (
            "From Competition to Collaboration: Ethical Leadership in an Era of Health "
            "Worker Mobility"
        ),
        "type": "report",
        "date": datetime.date(2022, 11, 1),
        "topics": ["health-worker-migration", "health-workforce"],
        "summary": (
            "How the UK's drive to recruit health workers internationally sits beside, and "
            "often undercuts, its long-standing promises to help low- and middle-income "
            "countries build their own health services."
        ),
        "body": [
            p(
                "The UK can no longer assume it is the destination of choice for health "
                "workers. The report argues that the answer to the global shortage is closer "
                "collaboration between the NHS and health systems in low- and middle-income "
                "countries, so that the UK becomes a partner others trust.",
            ),
        ],
    },
    {
        "slug": "the-transition-from-aid",
        "title": "The Transition from Aid",
        "type": "discussion-paper",
        "date": datetime.date(2017, 6, 1),
        "topics": ["uk-aid", "health-partnerships"],
        "summary": (
            "A discussion paper arguing that UK engagement with middle-income countries still "
            "matters, and that the UK's healthcare sector, the NHS above all, should be part "
            "of the UK's approach as aid changes."
        ),
        "body": [
            p(
                "Aid must still reach the poorest countries, but as middle-income economies grow "
                "the UK's health sector can also open commercial and diplomatic ties. The NHS "
                "is under-used as a driver of development and exchange.",
                "The paper is meant to start a debate, and makes recommendations to build soft "
                "power, establish the UK as a leader in developing the global health workforce "
                "and help the NHS and wider UK healthcare succeed internationally.",
            ),
        ],
    },
    {
        "slug": "in-our-mutual-interest",
        "title": "In Our Mutual Interest",
        "type": "policy-paper",
        "date": datetime.date(2016, 6, 1),
        "topics": ["health-partnerships", "uk-aid"],
        "summary": (
            "What THET has learned from years at the heart of the health partnership "
            "movement: the opportunities and the challenges, and the benefits for the UK and "
            "its partners when national and organisational interests are balanced with those "
            "of people in the poorest countries."
        ),
        "body": [],
    },
    {
        "slug": "general-election-2024-briefing",
        "title": "General Election 2024 Briefing",
        "type": "briefing",
        "date": datetime.date(2024, 6, 1),
        "topics": ["uk-aid", "diaspora", "health-workforce"],
        "summary": (
            "Our asks of the next UK government: invest more of the aid budget in health, "
            "draw on the expertise of diaspora staff through a new NHS Global, and back "
            "health partnerships. #HEALtogether"
        ),
        "body": [
            p(
                "People in the UK are proud of the NHS and worried about its future. We believe "
                "more Official Development Assistance (ODA) for global health, and fair "
                "international partnerships that share knowledge and skills, can protect the "
                "NHS for future generations and offer a model of Universal Health Coverage "
                "for the world.",
            ),
            heading("The next government's opportunity"),
            p(
                "Over the last ten years we have worked with more than 130 UK health "
                "institutions. Without internationally recruited staff the NHS would stop "
                "working and waiting lists would grow even longer.",
            ),
            statistics(
                "An international NHS",
                stat("1 in 5", "NHS staff report a non-British nationality", BRIEFING_2024),
                stat("1 in 3", "UK doctors were not trained in the UK", BRIEFING_2024),
                stat("214", "health systems connected to the NHS by diaspora staff", BRIEFING_2024),
            ),
            p(
                "Diaspora health workers move easily between health systems and carry "
                "knowledge and skills across borders. The next government can listen to over "
                "250,000 of them working in the NHS: our research shows more than 1 in 3 "
                "already help improve health in their countries of heritage. They are the "
                "#ExpertsInOurMidst.",
            ),
            statistics(
                "What NHS staff think",
                stat(
                    "96%",
                    "of NHS staff believe sharing clinical skills globally benefits us all",
                    BRIEFING_2024,
                ),
                stat("88%", "agree the NHS can learn from health systems overseas", BRIEFING_2024),
                stat(
                    "76%",
                    "of NHS staff are interested in getting involved in global health",
                    BRIEFING_2024,
                ),
            ),
            p(
                "4.5 billion people still lack essential health services. Where someone is "
                "born should not decide their chances in life, so the UK Government must "
                "commit more ODA to health.",
            ),
            heading("It's time to #HEALtogether"),
            p(
                "In 2021 the ODA budget fell from 0.7% to 0.5% of GNI, a real-terms cut of up "
                "to 40% to global health. For THET, £48 million of Health Partnership funding "
                "stopped overnight.",
            ),
            statistics(
                "The cost of the 2021 cuts",
                stat(
                    "£48 million",
                    "of THET health workforce training and development ODA cut",
                    BRIEFING_2024,
                ),
                stat("78,000", "healthcare professionals not trained as a result", BRIEFING_2024),
                stat(
                    "430,000", "patients left without improved access to healthcare", BRIEFING_2024
                ),
            ),
            {
                "type": "key_asks",
                "value": {
                    "heading": "Our key asks for the first 100 days",
                    "asks": [
                        "Increase health spending as a share of the ODA budget and invest in "
                        "supporting and strengthening the health and care workforce globally.",
                        "Mobilise UK expertise and harness diaspora knowledge through a new "
                        "NHS Global, with a greater focus on equitable global Health "
                        "Partnerships.",
                        "Back the Health Partnerships approach as a way to deliver better "
                        "healthcare and strengthen the UK's soft diplomacy across low- and "
                        "middle-income countries.",
                    ],
                },
            },
            heading("About THET"),
            p(
                "THET, soon to be renamed Global Health Partnerships, is a UK-based "
                "international organisation training health professionals across Africa, "
                "parts of Asia and, most recently, north-west Syria.",
            ),
            statistics(
                "THET in the past ten years",
                stat("100,000+", "health workers reached", BRIEFING_2024),
                stat("31", "countries", BRIEFING_2024),
            ),
        ],
    },
]


def build_publications(report: SeedReport, home: HomePage, taxonomy: dict) -> dict:
    index = add_page(
        report,
        home,
        PublicationIndexPage,
        "publications",
        title="Publications",
        show_in_menus=True,
        introduction=(
            "Reports, discussion papers, policy papers and briefings from THET's policy team."
        ),
    )
    pages = {}
    for item in PUBLICATIONS:
        pages[item["slug"]] = add_page(
            report,
            index,
            PublicationPage,
            item["slug"],
            title=item["title"],
            publication_type=taxonomy["types"][item["type"]],
            publication_date=item["date"],
            summary=item["summary"],
            topics=[taxonomy["topics"][slug] for slug in item["topics"]],
            body=item["body"],
        )
    return pages


def build_policy_work(report: SeedReport, our_work: OurWorkPage, publications: dict):
    existing = our_work.get_children().filter(slug="policy-work").exists()
    page = add_page(
        report,
        our_work,
        PolicyWorkPage,
        "policy-work",
        title="Policy Work",
        introduction=(
            "We speak up for the contribution health workers make to the development of "
            "every society, wherever they are and whoever they are."
        ),
        emphasis=(
            "<ul><li><b>Thought leadership</b> built on what we learn from running programmes "
            "and managing grants, such as our guest editorship of a series of articles in the "
            "online journal <i>Globalization and Health</i>.</li>"
            "<li><b>Constructive engagement with UK government policy</b>, including the "
            "strategy <i>UK aid: tackling global challenges in the national interest</i>: our "
            "report <i>In Our Mutual Interest</i> looked at the opportunities and challenges "
            "of the partnership approach, and our discussion paper <i>The Transition from "
            "Aid</i> makes the case for continued UK engagement with middle-income "
            "countries.</li></ul>"
        ),
        ambition=(
            "<p>We will keep using our unique position to work in the policy spaces where we "
            "can do most good, above all on UK government policy.</p>"
        ),
    )
    if not existing:
        for order, slug in enumerate(
            [
                "experts-in-our-midst",
                "from-competition-to-collaboration",
                "the-transition-from-aid",
                "in-our-mutual-interest",
            ]
        ):
            PolicyWorkFeaturedPublication.objects.create(
                page=page, publication=publications[slug], sort_order=order
            )
        page.save_revision().publish()
    return page


PROJECTS = [
    {
        "slug": "healthcare-resource-allocation-india-china",
        "title": "Improving the legitimacy and efficiency of healthcare resource allocation",
        "summary": (
            "Helping decision-makers allocate healthcare resources through the systematic use "
            "of clinical and economic evidence and of social values."
        ),
        "uk": ["NICE"],
        "overseas": ["China National Health Development Research Center (CNHDRC)"],
        "countries": ["India", "China"],
        "themes": ["NCDs"],
    },
    {
        "slug": "colposcopy-cervical-pathology-kathmandu-nepal",
        "title": (
            "Training and capacity development for colposcopy and cervical pathology "
            "reporting in Kathmandu, Nepal"
        ),
        "summary": (
            "Training clinicians in Kathmandu in colposcopy and in reporting cervical "
            "pathology, to strengthen cervical cancer screening."
        ),
        "uk": ["Nottingham University Hospital NHS Trust"],
        "overseas": ["Maternity Hospital, Kathmandu"],
        "countries": ["Nepal"],
        "themes": ["Sexual and Reproductive Health"],
    },
    {
        "slug": "violence-aggression-management-tanzania",
        "title": (
            "Developing a centre of excellence in Tanzania for the therapeutic management of "
            "violence and aggression"
        ),
        "summary": (
            "Building a centre of excellence at Mirembe Hospital for managing violence and "
            "aggression in mental health care safely and therapeutically."
        ),
        "uk": ["Central and North West London NHS Foundation Trust"],
        "overseas": ["Mirembe Hospital and Nursing School"],
        "countries": ["Tanzania"],
        "themes": ["Mental Health"],
    },
]


def build_partnerships(report: SeedReport, our_work: OurWorkPage, taxonomy: dict):
    programme = add_page(
        report,
        our_work,
        ProgrammePage,
        "health-partnership-scheme",
        title="Health Partnership Scheme",
        introduction=(
            "A UK government programme, launched in 2010 and managed by THET, that funded "
            "partnerships between UK health institutions and their counterparts in low- and "
            "middle-income countries."
        ),
        start_year=2010,
        end_year=2018,
        funder="UK government (Department for International Development)",
        statistics=stat_stream(
            stat("191", "partnerships formed", HPS_RESULTS),
            stat("210", "projects delivered", HPS_RESULTS),
            stat("2,000+", "NHS staff volunteered overseas", HPS_RESULTS),
            stat("93,112", "health workers trained", HPS_RESULTS),
            stat("30", "countries in Africa and Asia", HPS_RESULTS),
            stat(
                "£30 million", "of UK government funding, as first planned over six years", ABOUT_US
            ),
        ),
        body=[
            p(
                "Funding for institutional partnerships on this scale had never been offered "
                "in the UK before. The scheme set out to strengthen human resources for health "
                "and improve access to, and the quality of, care in the poorest countries, by "
                "drawing on UK health institutions and professionals in response to needs "
                "their partners identified.",
                "Its focus followed DFID's health priorities at the time (reproductive, "
                "maternal and newborn health, and malaria) and its priority countries, with an "
                "emphasis on rural areas where health services are weakest.",
            ),
            p(
                "Most of the health workers trained went on to train others. The scheme made "
                "health systems more effective and efficient, and benefited the NHS too: staff "
                "came home with new knowledge, stronger leadership and ideas for innovating "
                "with limited resources.",
                "UK volunteers were in Nepal when the earthquake struck and helped with the "
                "recovery; others worked to reduce maternal deaths in Uganda and to improve "
                "hospital care for seriously ill and injured children and newborns in Myanmar.",
            ),
        ],
    )
    index = add_page(
        report,
        our_work,
        ProjectIndexPage,
        "projects",
        title="Projects",
        introduction=(
            "Health partnership projects by country, health theme, partner and programme."
        ),
    )
    for item in PROJECTS:
        add_page(
            report,
            index,
            ProjectPage,
            item["slug"],
            title=item["title"],
            summary=item["summary"],
            programme=programme,
            countries=[taxonomy["countries"][name] for name in item["countries"]],
            themes=[taxonomy["themes"][name] for name in item["themes"]],
            uk_partners=[taxonomy["partners"][name] for name in item["uk"]],
            overseas_partners=[taxonomy["partners"][name] for name in item["overseas"]],
        )
    return programme, index


def build_footer(report: SeedReport, site: Site) -> None:
    footer, created = SiteFooter.objects.get_or_create(site=site)
    report.record("setting: footer", created)


@transaction.atomic
def load_seed_content() -> SeedReport:
    report = SeedReport()
    taxonomy = build_taxonomy(report)
    home = build_home(report)
    build_about(report, home)
    our_work = build_our_work(report, home)
    publications = build_publications(report, home, taxonomy)
    build_policy_work(report, our_work, publications)
    build_partnerships(report, our_work, taxonomy)
    build_footer(report, Site.objects.get(root_page=home))
    # Policy team grants and the sign-off workflow on the policy pages (#08).
    roles.ensure_policy_pages(django_apps)
    return report
