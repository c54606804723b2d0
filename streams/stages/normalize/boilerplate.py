"""Line-level removal of page debris that scrapers (and HTML extractors) leave in article text.

A line is debris only when the whole line is a known prompt, marker or credit, never because it
contains a word like "share" or "advertisement": every pattern is anchored at both ends or bounded
by a short length, so a sentence that merely mentions those words survives. Patterns cover English
and the conventions of Korean, Japanese, Chinese, French, German, Spanish and Russian outlets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from streams.stages.text import WORD, sentences

#: Prompts, markers and credits are short; a longer line is prose whatever words it holds.
_MAX_PROMPT_CHARS = 160
#: A run of at least this many menu-like lines (few words, no sentence end) is navigation.
_NAV_RUN = 6
_NAV_MAX_WORDS = 6
_NAV_MAX_CHARS = 50
#: A headline-like first line sharing this share of its words with the title is the title reworded.
_TITLE_OVERLAP = 0.7
#: Prose: this many words ending like a statement (ends a "Related posts" block, skips debris checks).
_PROSE_WORDS = 8

_DECORATION = " \t-–—*•·|▶►▷▲△■□◆◇☞※>»«<:：.…!！#"
_SENTENCE_END = re.compile(r"[.!?。！？…\"”»』」)]$")
_STATEMENT_END = re.compile(r"[.!。！\"”»』」]$")
#: Promotions and contact lines are longer than prompts but still far shorter than a paragraph.
_MAX_PROMO_CHARS = 400


def _alternatives(*words: str) -> str:
    return "|".join(words)


_SOCIAL = _alternatives(
    "facebook",
    "twitter",
    "x",
    "linkedin",
    "reddit",
    "pinterest",
    "whatsapp",
    "telegram",
    "flipboard",
    "email",
    "e-mail",
    "print",
    "messenger",
    "sms",
    "copy link",
    "copy url",
    "tumblr",
    "vk",
    "вконтакте",
    "kakaotalk",
    "카카오톡",
    "카카오스토리",
    "페이스북",
    "트위터",
    "네이버",
    "밴드",
    "line",
    "weibo",
    "微博",
    "微信",
    "qq",
)

#: Whole-line debris: the line (decoration stripped, lower-cased) must match from start to end.
_WHOLE_LINE = [
    # navigation and page furniture
    r"no menu items|(main |mobile )?menu|skip to (main )?content|toggle navigation|navigation|search|home|"
    r"log ?in|sign ?in|sign ?up|register|close|back to top|"
    r"next|previous|(next|previous|prev) (article|post|story)|"
    r"(\d+ )?comments?( \(\d+\))?|leave a (comment|reply)|reply|view comments|show comments|"
    r"accessibility|skip advertisement|listen to (this )?(article|story)|\d+ min(ute)? read|",
    # share and follow prompts
    rf"(share|tweet|pin|save|send)( (this|the|on|via|to|with|it|article|post|story|page|link|{_SOCIAL}))*|"
    rf"(({_SOCIAL})[ ,/|]*)+|follow (us|@?\w+) on( ({_SOCIAL}))*",
    # advertisement markers
    r"advertisements?|advertising|ads?|sponsored( content| links?| post| stories)?|promoted( content)?|"
    r"(story|article) continues below( (this )?(advertisement|"
    r"ad))?|continue reading( below| the main story)?|"
    r"scroll (down )?to continue( reading)?|paid (content|post)|partner content",
    # related / read-more headings
    r"related( (posts?|articles?|stories|news|content|coverage|reading|links|topics|videos?))?|"
    r"read (more|next|also)|also read|more (stories|news|articles|"
    r"videos|on this( story| topic)?)|more from .{1,40}|"
    r"see (more|also)|you (may|might) (also )?(like|enjoy|"
    r"be interested in)|recommended( for you| stories| reading)?|"
    r"trending( now| stories)?|most (popular|read|viewed|shared)|popular (posts|stories)|don'?t miss|"
    r"editor'?s picks?|top stories|latest (news|stories|posts)|watch( now| more)?|in other news",
    # subscribe / newsletter / cookies / app prompts
    r"subscribe( now| today| here)?|newsletter|unsubscribe|thanks? (you )?for (signing up|subscribing)!?|"
    r"(keep an eye on|check) your inbox.*|there was an error processing your (subscription|request)|"
    r"already (a subscriber|have an account).*|(click|"
    r"tap) here\b.*|(download|get) (the|our) .{0,40}\bapp\b.*|"
    r"(sign up|subscribe|register)\b.{0,80}\b(newsletter|inbox|updates|alerts|free|account|email)\b.*|"
    r"(we|this (web)?site|our (web)?site) uses? cookies.*|(accept|allow|manage|reject)( all)? cookies|"
    r"cookie (policy|settings|preferences|consent)|by (continuing|"
    r"using) (to (use|browse) )?(this|our) (web)?site.*",
    # tags, categories, timestamps-as-labels
    r"(tags?|topics?|filed under|categories|category|keywords)\s*[:：].*|"
    r"(updated|published|posted|last updated|first published)( on| at)?\s*[:：]?\s*[\w ,:./-]{0,40}",
    # copyright and photo credits
    r"(©|\(c\)|ⓒ|copyright\b).{0,150}|.{0,150}\ball rights reserved\b.{0,40}|"
    r"((photo|image|picture|video)\s+)?(photo|photograph|image|picture|pic|video|credit|illustration)s?\s*"
    r"(by\b|[:：/=]).{0,120}|(ap|afp|reuters|epa|getty|xinhua|yonhap|ani|pti) ?(photo|images?)\s*/.{0,60}|"
    r".{0,80}\((photo|image|picture|credit)s?( by|:)[^)]{0,80}\)|"
    r".{0,60}/\s*(getty images|ap photo|reuters|afp|shutterstock|"
    r"epa|ap|istock)|(getty images|ap photo|shutterstock)",
    # a lone e-mail address (bylines proper are matched by _BYLINE)
    r"[\w.+-]+@[\w-]+\.[\w.]+|\[?email protected\]?",
    # Korean
    r"광고|공유(하기)?|기사 ?공유|이 기사를 공유합니다|관련 ?기사|많이 본 ?뉴스|"
    r"구독(하기)?|기자 ?구독|좋아요|"
    r"댓글|기사 ?(제보|저장)|프린트|스크랩|인쇄|URL ?복사|글자 ?크기|"
    r".{0,40}(무단 ?전재|재배포 ?금지|저작권자).{0,60}|[\[(]?(사진|그래픽|영상|자료)\s*[=:].{0,40}|"
    r"[가-힣]{2,4} ?(기자|특파원)( [\w.+-]+@[\w.-]+)?|[가-힣]{2,4} ?기자 ?=?|"
    r"(기사 ?입력|입력|수정|최종 ?수정|승인|등록)\s*[:：]?\s*[\[(]?\s*[\d.:/ -]{8,30}[\])]?",
    # Japanese
    r"広告|pr|関連記事|関連ニュース|この記事をシェア(する)?|シェア(する)?|ツイート|ブックマーク|続きを読む|もっと見る|"
    r"コメント|印刷|.{0,40}無断(転載|複製).{0,40}|(写真|画像|映像|提供)\s*[:：].{0,60}|[（(]共同[）)]",
    # Chinese
    r"广告|廣告|相关(阅读|新闻|文章|报道)|相關(閱讀|新聞)|延伸阅读|推荐阅读|热门推荐|猜你喜欢|分享|分享到\s*[:：]?.{0,30}|"
    r"(责任编辑|編輯|编辑|作者|记者|审核|校对)\s*[:：].{0,30}|.{0,40}版权所有.{0,60}|.{0,40}未经(授权|许可).{0,60}|"
    r"(图片|圖片|图|图源)\s*(来源|來源)?\s*[:：].{0,60}|扫一扫.{0,30}|关注我们.{0,30}|返回搜狐，查看更多|点击(进入|查看).{0,30}",
    # French
    r"publicité|partager( (sur|par) \w+)?|(à )?lire aussi|lire la suite|voir aussi|sur le même sujet|"
    r"abonnez-vous.{0,80}|inscrivez-vous.{0,80}|tous droits réservés.{0,40}|crédits? photos?\s*[:：].{0,80}|"
    r"(mis à jour|publié) le .{0,40}",
    # German
    r"anzeige|werbung|teilen|artikel teilen|auf \w+ teilen|lesen sie (auch|mehr)|mehr zum thema|weiterlesen|"
    r"auch interessant|das könnte sie auch interessieren|newsletter abonnieren|jetzt abonnieren|"
    r"alle rechte vorbehalten.{0,40}|(foto|bild|fotos)\s*[:：].{0,80}|"
    r"(aktualisiert|veröffentlicht) am .{0,40}",
    # Spanish
    r"publicidad|anuncio|compartir( en \w+)?|lee también|leer más|lea también|te puede interesar|"
    r"noticias relacionadas|más noticias|suscríbete.{0,80}|todos los derechos reservados.{0,40}|"
    r"(foto|fotografía|imagen)\s*[:：].{0,80}|(actualizado|publicado)( el)? .{0,40}",
    # Russian
    r"реклама|поделиться|читайте также.{0,120}|читать (далее|полностью)|смотрите также|похожие новости|"
    r"новости по теме|подпис(ывайтесь|ывайся|ывайтесь на|аться)\b.{0,80}|подпишитесь.{0,80}|"
    r"все права защищены.{0,40}|фото\s*[:：].{0,80}|автор\s*[:：].{0,40}",
]

#: Bylines as debris ("By Jane Doe and John Roe, Reuters", "Par Jean Dupont", "Von Anna Schmidt"): the
#: words after the marker must all be names, so "By the end of the day, …" or "Von der Leyen sagte …" stay.
_BYLINE = re.compile(
    r"^(by|written by|posted by|reporting by|edited by|words by|par|propos recueillis par|von|por|от)\s+",
    re.IGNORECASE,
)
_NAME_WORDS = re.compile(r"^([A-ZÀ-ÞА-ЯЁ][\w.'’-]*|and|und|et|y|e|и|de|van|von|der|la|le|del)$")

#: Single-line teasers: "READ MORE: …", "SEE MORE: …", "Lesen Sie auch: …".
_TEASER = re.compile(
    r"^(read more|see more|read also|also read|related|watch|"
    r"more|read|lire aussi|à lire aussi|lesen sie auch|"
    r"mehr zum thema|lee también|te puede interesar|читайте также|관련기사|関連記事|相关阅读)\s*[:|：]\s*.+$",
    re.IGNORECASE,
)
#: Korean/Japanese portal teasers and bullet links: "▶ 네이버에서 뉴시스 구독하기", "☞ …".
_BULLET_LINK = re.compile(r"^[▶►▷☞]\s*.{1,100}$")
_RELATED_HEADING = re.compile(
    r"^(related( (posts?|articles?|stories|news|content|coverage|reading|links))?|read (more|next|also)|"
    r"more (stories|news|articles)( from .{1,40})?|you (may|"
    r"might) (also )?(like|enjoy)|recommended( for you)?|"
    r"trending( now)?|most (popular|read)|popular posts|don'?t miss|"
    r"à lire aussi|lire aussi|sur le même sujet|lesen sie auch|"
    r"mehr zum thema|das könnte sie auch interessieren|"
    r"noticias relacionadas|te puede interesar|más noticias|читайте также|похожие новости|новости по теме|"
    r"관련 ?기사|많이 본 ?뉴스|関連記事|関連ニュース|相关阅读|相关新闻|推荐阅读|延伸阅读)$",
    re.IGNORECASE,
)

#: A sentence inviting the reader to subscribe or install something.
_PROMO_SENTENCE = re.compile(
    r"^(sign up|subscribe|get|join|click|register|download|start your day)\b.*"
    r"\b(newsletters?|inbox|subscriptions?|letterbox|mailbox|app|podcast)\b",
    re.IGNORECASE,
)
_PROMO_HINTS = ("newsletter", "inbox", "subscription", "letterbox", "mailbox", "app", "podcast")
_PROMO_WORDS = re.compile(r"\b(newsletters?|inbox|subscriptions?|letterbox|mailbox|app|podcast)\b")
#: Contact and social lines: "Email Jane at jd@x.com or follow her @jd", "Follow him on Twitter".
_CONTACT = re.compile(
    r"(\b(follow|email|e-mail|reach|reached|contact|tips?)\b.*([\w.+-]+@[\w-]+\.\w|(^|\s)@\w{2,}))|"
    r"\bfollow (him|her|us|them|me) on (twitter|facebook|instagram|linkedin|x)\b|"
    r"\b(follow|more|coverage|reach|visit|subscribe|download)\b.*https?://",
    re.IGNORECASE,
)
#: Wire credits at the foot of a story: "(Reporting by …; Editing by …)".
_CREDITS = re.compile(
    r"^[(\[]?(additional )?(reporting|writing|editing|edited|compiled|produced|translated|"
    r"additional reporting)( and \w+)? by\b",
    re.IGNORECASE,
)
#: Copyright and cookie notices read like sentences, so they skip the prose shortcut in :func:`is_debris`.
_RIGHTS = re.compile(
    r"©|ⓒ|\(c\)|copyright|rights reserved|cookie|무단|저작권|版权|無断|droits réservés|rechte vorbehalten|"
    r"derechos reservados|права защищены"
)
_BULLET = re.compile(r"^[-–•·*▪]\s+")

_DEBRIS = re.compile("^(?:" + "|".join(f"(?:{p})" for p in _WHOLE_LINE) + ")$", re.IGNORECASE)


def core(line: str) -> str:
    """The line without bullets, dashes and trailing punctuation that decorate debris."""
    return line.strip(_DECORATION).strip()


def _is_byline(text: str) -> bool:
    match = _BYLINE.match(text)
    if match is None:
        return False
    words = text[match.end() :].replace(",", " ").split()
    return 0 < len(words) <= 8 and all(_NAME_WORDS.match(word) for word in words)


def is_debris(line: str) -> bool:
    """Whether a whole line is page debris (see the module docstring for what never counts)."""
    text = core(line)
    if not text:
        return not any(ch.isalnum() for ch in line)
    if len(line) > _MAX_PROMO_CHARS:
        return False
    lowered = line.casefold()
    contact_hint = "@" in line or "follow" in lowered or "http" in lowered
    if _CREDITS.match(line.strip()) or (contact_hint and _CONTACT.search(line)):
        return True
    if (
        any(word in lowered for word in _PROMO_HINTS)
        and _PROMO_WORDS.search(lowered)
        and any(_PROMO_SENTENCE.match(line[start:end]) for start, end in sentences(line))
    ):
        return True
    if len(text) > _MAX_PROMPT_CHARS:
        return False
    if _TEASER.match(text) or _BULLET_LINK.match(line.strip()):
        return True
    if _is_prose(text) and not _RIGHTS.search(lowered):
        return False
    return _DEBRIS.match(text) is not None or _is_byline(text)


def _is_menu_item(line: str) -> bool:
    """Short, no sentence end, no list bullet (extractors render an article's own lists as "- item")."""
    text = line.strip()
    return (
        not _BULLET.match(text)
        and len(text) <= _NAV_MAX_CHARS
        and len(WORD.findall(text)) <= _NAV_MAX_WORDS
        and not _SENTENCE_END.search(text)
    )


def _is_prose(line: str) -> bool:
    text = line.strip()
    return text.count(" ") + 1 >= _PROSE_WORDS and _STATEMENT_END.search(text) is not None


def _same_title(line: str, title: str | None) -> bool:
    """The headline again: the title's words (a site suffix aside), or a reworded headline, never a lede."""
    if not title:
        return False
    words = WORD.findall(line.casefold())
    title_words = WORD.findall(title.casefold())
    if not words:
        return False
    if words == title_words or (len(words) >= 4 and title_words[: len(words)] == words):
        return True
    if _STATEMENT_END.search(line.strip()) or len(words) < 4 or len(words) > 1.5 * len(title_words):
        return False
    shared = len(set(words) & set(title_words))
    return shared >= _TITLE_OVERLAP * min(len(set(words)), len(set(title_words)))


def clean_lines(lines: Sequence[str], title: str | None = None) -> list[str]:
    """Drop debris lines, navigation runs, related-post blocks and a repeated headline."""
    kept: list[str] = []
    in_related = False
    for index, line in enumerate(lines):
        if in_related and not _is_prose(line):
            continue
        in_related = False
        if _RELATED_HEADING.match(core(line)):
            in_related = True
            continue
        if is_debris(line) or (index < 3 and not kept and _same_title(line, title)):
            continue
        kept.append(line)
    return _drop_teaser_tail(_drop_menu_runs(kept))


def _is_headline(line: str) -> bool:
    """Title Case or ALL CAPS without a sentence end: how teaser links to other stories look."""
    text = line.strip()
    words = [word for word in re.findall(r"[^\W\d_][\w'’-]*", text) if len(word) > 3]
    if len(words) < 3 or _STATEMENT_END.search(text):
        return False
    return sum(word[0].isupper() for word in words) >= 0.7 * len(words)


def _drop_teaser_tail(lines: list[str]) -> list[str]:
    """Strip the block of teaser headlines that follows the last paragraph."""
    end = len(lines)
    while end > 1 and _is_headline(_BULLET.sub("", lines[end - 1])):
        end -= 1
    return lines[:end]


def _drop_menu_runs(lines: list[str]) -> list[str]:
    """Remove runs of at least ``_NAV_RUN`` consecutive menu-like lines."""
    result: list[str] = []
    run: list[str] = []
    for line in [*lines, ""]:
        if line and _is_menu_item(line):
            run.append(line)
            continue
        if len(run) < _NAV_RUN:
            result.extend(run)
        run = []
        if line:
            result.append(line)
    return result
