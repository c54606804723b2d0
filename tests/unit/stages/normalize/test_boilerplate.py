"""Line-level debris removal: every debris class in every supported language, and no real sentence lost."""

from __future__ import annotations

import pytest

from streams.stages.normalize.boilerplate import clean_lines, is_debris

DEBRIS = {
    "navigation": [
        "No menu items!",
        "Skip to main content",
        "Toggle navigation",
        "Back to top",
        "Leave a comment",
        "12 Comments",
    ],
    "share": [
        "Share This Post",
        "Share on Facebook",
        "Share this article",
        "Facebook Twitter LinkedIn Email",
        "Tweet",
        "Follow us on Twitter",
    ],
    "subscribe": [
        "Subscribe to our newsletter",
        "Sign up for our daily newsletter and get the top stories in your inbox",
        "Thanks for signing up!",
        "Keep an eye on your inbox for the latest sports news.",
        "Get the latest updates right in your inbox. Subscribe to NJ.com’s newsletters.",
        "CLICK HERE TO GET THE FOX NEWS APP",
        "Already a subscriber? Log in",
    ],
    "cookies": [
        "We use cookies to improve your experience on our site.",
        "Accept all cookies",
        "By continuing to use this site you agree to our cookie policy.",
    ],
    "advertisement": [
        "- Advertisement -",
        "ADVERTISEMENT",
        "Story continues below advertisement",
        "Sponsored content",
    ],
    "related": [
        "Related Posts",
        "READ MORE: Hong Kong protests: 800 students under siege in university",
        "You may also like...",
        "Don't miss",
        "Most Popular",
    ],
    "copyright": [
        "© 2019 Associated Press. All Rights Reserved. This material may not be published, broadcast, "
        "rewritten, or redistributed.",
        "Copyright 2024 Reuters",
        "All rights reserved.",
    ],
    "photo credit": [
        "Photo: Alex Wong/Getty Images",
        "(Photo by Chip Somodevilla/Getty Images)",
        "Image credit: NASA",
        "AP Photo/Evan Vucci",
    ],
    "byline": [
        "By Jane Doe",
        "By Jane Doe and John Roe, Reuters",
        "Published: November 18, 2019",
        "Updated 9:30 AM ET",
        "jdoe@example.com",
        "(Reporting by Will Dunham; Editing by Tom Brown)",
        "Email Tariq Malik at tmalik@space.com or follow him @tariqjmalik.",
    ],
    "korean": [
        "광고",
        "공유하기",
        "관련기사",
        "많이 본 뉴스",
        "<저작권자(c) 연합뉴스, 무단 전재-재배포 금지>",
        "저작권자 ⓒ 뉴시스통신사. 무단전재-재배포 금지.",
        "[사진=연합뉴스]",
        "김지훈 기자",
        "▶ 네이버에서 뉴시스 구독하기",
        "기사입력 :[ 2018-08-25 15:24 ]",
    ],
    "japanese": [
        "広告",
        "関連記事",
        "この記事をシェア",
        "無断転載を禁じます。",
        "写真：ロイター",
        "（共同）",
        "PR",
    ],
    "chinese": [
        "广告",
        "相关阅读",
        "分享到：微信 微博",
        "责任编辑：王伟",
        "版权所有 新华网",
        "图片来源：视觉中国",
    ],
    "french": [
        "Publicité",
        "Partager sur Facebook",
        "À lire aussi",
        "Abonnez-vous à notre newsletter",
        "Par Jean Dupont",
    ],
    "german": [
        "Anzeige",
        "Artikel teilen",
        "Lesen Sie auch",
        "Mehr zum Thema",
        "Foto: dpa",
        "Von Anna Schmidt",
    ],
    "spanish": ["Publicidad", "Compartir en Twitter", "Lee también", "Te puede interesar", "Por María López"],
    "russian": ["Реклама", "Поделиться", "Читайте также", "Подписывайтесь на наш канал", "Фото: РИА Новости"],
}

SENTENCES = [
    "Shares of the company fell 4% after it said it would share its data with regulators.",
    "The advertisement, which ran during the Super Bowl, drew complaints from viewers.",
    "Officials said they would share more details about the investigation on Monday.",
    "Related posts on the forum were removed by moderators after the attack.",
    "The minister said subscribers to the state broadcaster would see fees rise next year.",
    "Read more carefully, the contract reveals a loophole, the lawyers argued.",
    "By the end of the day, rescuers had pulled 12 people from the rubble.",
    "Von der Leyen sagte, die EU werde die Ukraine weiter unterstützen.",
    "Por la tarde, el presidente se reunió con los líderes de la oposición.",
    "Par ailleurs, le gouvernement a annoncé de nouvelles mesures pour les agriculteurs.",
    "Photo agencies said their images of the protest had been widely shared.",
    "광고 업계는 이번 규제가 시장을 위축시킬 것이라고 우려했다.",
    "広告大手の電通は、海外事業の売却を検討していると発表した。",
    "分享经济在中国发展迅速，吸引了大量投资。",
    "Реклама на телевидении подорожала на 20% за год, сообщили в ассоциации.",
    "Cookies sold at the fair raised $3,000 for the local hospital, organisers said.",
]


@pytest.mark.parametrize("line", [line for lines in DEBRIS.values() for line in lines])
def test_debris_lines_are_recognised(line: str) -> None:
    assert is_debris(line)


@pytest.mark.parametrize("sentence", SENTENCES)
def test_sentences_that_mention_debris_words_survive(sentence: str) -> None:
    assert not is_debris(sentence)
    assert clean_lines([sentence]) == [sentence]


def test_related_block_is_dropped_until_prose_resumes() -> None:
    lines = [
        "The council approved the budget on Tuesday after a long debate.",
        "Related Posts",
        "Mayor faces recall vote",
        "City hall to close for renovation",
        "The new budget takes effect on July 1, the mayor's office said in a statement.",
    ]
    assert clean_lines(lines) == [lines[0], lines[4]]


def test_navigation_runs_go_but_article_lists_stay() -> None:
    menu = ["Home", "World", "Politics", "Business", "Sport", "Culture", "Contact"]
    listing = [
        f"- {country} (Group {group}): qualified" for country, group in zip(menu, "ABCDEFG", strict=True)
    ]
    prose = "The tournament draw will take place in Bucharest on November 30, organisers said."
    assert clean_lines([*menu, prose, *listing]) == [prose, *listing]


def test_teaser_headlines_after_the_last_paragraph_go() -> None:
    prose = "The probe launches in 2024 and will reach Jupiter's moon Europa in 2030, NASA said."
    tail = [
        "- 11 Fascinating Facts About Our Milky Way Galaxy",
        "Keck Observatory: Twin Telescopes on Mauna Kea",
    ]
    assert clean_lines([prose, *tail]) == [prose]


def test_headline_repeated_at_the_top_is_dropped() -> None:
    title = "Korea, US and Japan hold first foreign ministers' meeting of the year"
    body = "The foreign ministers met in Rio de Janeiro on the 22nd, the ministry said."
    assert clean_lines([title, body], title=title) == [body]
    assert clean_lines([body, title], title=title) == [body, title]


def test_sample_article_debris_lines_all_go() -> None:
    with open("tests/data/raw-article-trilateral-ministers.txt", encoding="utf-8") as handle:
        lines = [line.strip() for line in handle if line.strip()]
    kept = clean_lines(lines)
    for debris in ("No menu items!", "Share This Post", "- Advertisement -", "Related Posts"):
        assert debris not in kept
    assert len(kept) == len(lines) - 7  # 1 menu + 1 share + 4 advertisement markers + 1 related heading
    assert any(line.startswith("The foreign ministers of Korea") for line in kept)
