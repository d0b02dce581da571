"""The vocabulary of mail text, written once: subject prefixes, forward separators, quote attributions,
taglines, honorifics and first names, and the one cut that finds what a sender newly wrote.

Clients in the languages we see write these lines; every module that reads mail asks here, so a word
learnt for one reader (a Dutch separator, an Italian title) is known to all of them. Where earlier copies
disagreed (two or three dashes, which languages), this module accepts the union of what they accepted.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache

from refmail.domain.types import Person

# ---- subjects ---------------------------------------------------------------------------------------------

# "Re:", "AW:" (de), "SV:" (sv/da/no), "Antw:" (nl), "Réf:" (fr), "Rif:"/"R:" (it); Outlook may count: "Re[2]:".
# Outlook and Gmail write the prefix in the language of their user: "RES:" (pt-BR), "Odp:" (pl, cs), "Odg:" (hr, sl),
# "VS:" (fi), "Vá:" (hu), "YNT:" (tr), "Răsp:" (ro), "Atb:" (lv), "Ats:" (lt), "BLS:" (id), "TL:" (vi), "ΑΠ:"/"ΣΧΕΤ:"
# (el), "Отв:" (ru), "回复:"/"答复:"/"回覆:" (zh), "返信:" (ja), "회신:"/"답장:" (ko), "رد:" (ar), "השב:" (he).
REPLY_PREFIXES = ("re", "aw", "sv", "antw", "réf", "rif", "r", "res", "odp", "odg", "vs", "vá", "ynt", "răsp", "atb",
                  "ats", "bls", "tl", "απ", "σχετ", "отв", "回复", "答复", "回覆", "返信", "회신", "답장", "رد", "השב")
# "Fwd:"/"Fw:", "WG:" (de), "TR:" (fr), "RV:" (es), "ENC:" (pt); "İLT:" (tr), "PD:" (pl), "VL:" (fi), "TOVÁBB:" (hu),
# "I:" (it), "ΠΡΘ:" (el), "Пересл:" (ru), "转发:"/"轉寄:" (zh), "転送:" (ja), "전달:" (ko).
FORWARD_PREFIXES = ("fwd", "fw", "wg", "tr", "rv", "enc", "ilt", "pd", "vl", "tovább", "i", "πρθ", "пересл", "转发", "轉寄",
                    "転送", "전달")  # "ilt" matches "İLT": re's IGNORECASE folds İ to i

_COUNT = r"\s*(?:\[\d+\])?\s*[:：]"
REPLY_SUBJECT = re.compile(r"^\s*(?:" + "|".join(REPLY_PREFIXES) + ")" + _COUNT, re.IGNORECASE)
FORWARD_SUBJECT = re.compile(r"^\s*(?:" + "|".join(FORWARD_PREFIXES) + ")" + _COUNT, re.IGNORECASE)
_REPLY_PREFIXES = re.compile(r"^\s*(?:(?:" + "|".join(REPLY_PREFIXES) + ")" + _COUNT + r"\s*)+", re.IGNORECASE)
_ANY_PREFIXES = re.compile(r"^\s*(?:(?:" + "|".join(REPLY_PREFIXES + FORWARD_PREFIXES) + ")" + _COUNT + r"\s*)+",
                           re.IGNORECASE)


def is_reply_subject(subject: str) -> bool:
    return bool(REPLY_SUBJECT.match(subject))


def is_forward_subject(subject: str) -> bool:
    return bool(FORWARD_SUBJECT.match(subject))


def without_reply_prefixes(subject: str) -> str:
    """'Re: AW: Intro' -> 'Intro'; a forward's 'Fwd:' is kept (it says something about the message)."""
    return _REPLY_PREFIXES.sub("", subject)


def without_prefixes(subject: str) -> str:
    """'Re: Fwd: [refmail] Approve' -> '[refmail] Approve': every reply and forward prefix off the front."""
    return _ANY_PREFIXES.sub("", subject)


# ---- scripts written without spaces between words ------------------------------------------------------------

# Chinese and Japanese characters: a name sits inside a run of text ("吉川までご連絡"), two of them make a whole name.
_CJK_RANGES = "\u2e80-\u9fff\uf900-\ufaff"
CJK = re.compile(f"[{_CJK_RANGES}]")
# Those, Thai, Lao, Burmese and Khmer (no spaces either) and Hangul (its words carry their particles: "박지원님이"): read in pairs of letters.
UNSPACED = re.compile(f"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff{_CJK_RANGES}\uac00-\ud7af]")


def _combining_marks() -> str:
    """The combining marks (vowel signs, viramas, accents: Unicode Mn, Mc, Me), as a character class's ranges.

    Python's \\w leaves them out, so a Hindi, Nepali, Khmer or Thai word ("प्रेषक", "ពី") would break where a
    vowel sign sits and read as no word at all; a word here is letters and these marks.
    """
    codes = [c for lo, hi in ((0x0300, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F))
             for c in range(lo, hi + 1) if unicodedata.category(chr(c)) in ("Mn", "Mc", "Me")]
    ranges: list[list[int]] = []
    for c in codes:
        if ranges and c == ranges[-1][1] + 1:
            ranges[-1][1] = c
        else:
            ranges.append([c, c])
    return "".join(chr(lo) if lo == hi else f"{chr(lo)}-{chr(hi)}" for lo, hi in ranges)


MARKS = _combining_marks()
# One letter of a word, in any script: a \w that is no digit or underscore, or a combining mark.
LETTER = r"(?:[^\W\d_]|[" + MARKS + "])"
# A run of letters: the words of a text, or of a name, with digits and punctuation between them.
LETTERS = re.compile(LETTER + "+")


def character_pairs(text: str) -> list[str]:
    """An unspaced run as overlapping pairs of letters (紹介, 介し ...): the words a model can learn from.

    Chinese is read in simplified characters: Taiwan and Hong Kong write 介紹 and 們 where the mainland writes
    介绍 and 们, and the same intro should teach, and be read by, one set of pairs."""
    text = _to_simplified()(text) if CJK.search(text) else text
    return [text[i:i + 2] for i in range(max(1, len(text) - 1))]


@cache
def _to_simplified():  # type: ignore[no-untyped-def]
    import opencc  # loaded only when Chinese or Japanese text is read

    return opencc.OpenCC("t2s").convert


# ---- the lines above a forwarded or quoted message -------------------------------------------------------

# The words clients put between dashes above a forwarded or original message.
SEPARATOR_WORDS = (
    "Forwarded message", "Original Message", "Forwarded Message", "Message transféré", "Weitergeleitete Nachricht",
    "Ursprüngliche Nachricht", "Mensaje reenviado", "Mensaje original", "Message d'origine", "Oorspronkelijk bericht",
    "Doorgestuurd bericht", "Messaggio originale", "Messaggio inoltrato", "Mensagem original", "Mensagem encaminhada",
    "Opprinnelig melding", "Videresendt melding", "Ursprungligt meddelande", "Vidarebefordrat meddelande",
    "Oprindelig meddelelse", "Videresendt meddelelse", "Wiadomość oryginalna", "Przekazana wiadomość",
    "Původní zpráva", "Přeposlaná zpráva", "Orijinal İleti", "İletilmiş ileti", "Yönlendirilmiş ileti",
    "元のメッセージ", "転送メッセージ",
    "転送されたメッセージ", "原始邮件", "原始郵件", "转发的邮件", "转发邮件信息", "轉寄郵件", "원본 메시지", "전달된 메시지", "الرسالة الأصلية",
    # Gmail's and Outlook's words in the other languages they ship in (Greek, South Slavic, Cyrillic, Baltic,
    # Finno-Ugric, Romanian, Indonesian, Hebrew, Thai, Catalan, Vietnamese, Icelandic, Malay, Georgian, Swahili)
    "Προωθημένο μήνυμα", "Αρχικό μήνυμα", "Proslijeđena poruka", "Izvorna poruka", "Prosleđena poruka",
    "Originalna poruka", "Прослеђена порука", "Оригинална порука", "Posredovano sporočilo", "Izvirno sporočilo",
    "Пересылаемое сообщение", "Пересланное сообщение", "Исходное сообщение", "Исходное письмо",
    "Пересланий лист", "Переслане повідомлення", "Оригінальне повідомлення", "Препратено съобщение",
    "Оригинално съобщение", "Mesaj redirecționat", "Mesaj redirectionat", "Mesaj original", "Továbbított üzenet",
    "Eredeti üzenet", "Välitetty viesti", "Alkuperäinen viesti", "Preposlaná správa", "Pôvodná správa",
    "Edastatud kiri", "Algne kiri", "Persiųstas laiškas", "Pradinis laiškas", "Pārsūtīta ziņa",
    "Sākotnējā ziņa", "Pesan terusan", "Pesan yang diteruskan", "Pesan Asli", "Missatge reenviat",
    "Missatge original", "הודעה שהועברה", "הודעה מקורית", "ข้อความที่ส่งต่อ", "ข้อความต้นฉบับ",
    "Thư đã chuyển tiếp", "Thư gốc", "Áframsend skilaboð", "Upprunaleg skilaboð",
    "Mesej yang dimajukan", "Mesej Dimajukan", "Mesej asal", "გადაგზავნილი შეტყობინება",
    "Ujumbe uliosambazwa", "Ujumbe asili", "Начало переадресованного сообщения", "Дамжуулсан мессеж",
)
# Yandex Mail closes a forwarded message with a line of its own, and writes the message's recipients ("Кому: ...",
# "Копия: ...") under its attribution line or under its text, just above that closing line.
FORWARD_END_WORDS = ("Конец пересылаемого сообщения", "Конец пересланного сообщения", "Конец переадресованного сообщения",
                     "End of forwarded message")
# Apple Mail's "Begin forwarded message:" as it reads in other languages.
FORWARD_LEADS = (
    "Begin forwarded message", "Début du message réexpédié", "Anfang der weitergeleiteten Nachricht",
    "Inicio del mensaje reenviado", "Begin doorgestuurd bericht", "Inizio messaggio inoltrato",
    "Início da mensagem reencaminhada", "Início da mensagem encaminhada", "Początek przekazywanej wiadomości",
    "Videresendt melding", "Vidarebefordrat brev", "転送されたメッセージ", "以下是转发的邮件", "以下是轉寄的郵件",
    "開始轉寄的郵件", "开始转发的邮件",
    "Αρχή προωθημένου μηνύματος", "Početak proslijeđene poruke", "Početak prosleđene poruke",
    "Začetek posredovanega sporočila", "Начало переадресованного сообщения", "Начало пересланного сообщения",
    "Початок пересланого повідомлення", "Începutul mesajului redirecționat", "Továbbított levél kezdete",
    "Välitetty viesti alkaa", "Začiatok preposlanej správy", "Začátek přeposlané zprávy",
    "Start på videresendt besked", "Början på vidarebefordrat brev", "Awal pesan yang diteruskan",
    "Upphaf áframsends skeytis", "תחילת ההודעה המועברת", "เริ่มต้นข้อความที่ส่งต่อ", "เริ่มข้อความที่ส่งต่อ",
)
# A whole separator line (from its first non-blank character): "---------- Forwarded message ---------",
# "-----Original Message-----" (two dashes or more, trailing dashes optional), Apple's "Begin forwarded
# message:", Outlook's underscore rule, Lotus Notes' "----- Forwarded by ... -----".
SEPARATOR = (r"(?:-{2,}\s*(?:" + "|".join(re.escape(w) for w in SEPARATOR_WORDS) + r")[^\n]*"
             r"|(?:" + "|".join(re.escape(w) for w in FORWARD_LEADS) + r")\s*[:：][^\n]*|_{10,}[ \t]*$|-{10,}\s*Forwarded by[^\n]*)")

# "On Mon, 3 Mar 2025 at 10:00, Alice Source <alice@example.org> wrote:" and its kin in other languages.
# iOS Mail in Portuguese leads with "A" ("A 27/01/2025, às 11:55, Ana <a@x> escreveu:"); Gmail in Vietnamese with
# "Vào" ("Vào Th 4, 2 thg 4, 2025 vào lúc 20:15 Tam <t@x> đã viết:").
ATTRIBUTION_LEADS = ("On", "Am", "Le", "El", "Op", "Il giorno", "Il", "Em", "A", "Den", "Dne", "W dniu", "Dnia", "Vào",
                     "Στις", "Pe", "На", "Pada", "V", "Dana", "Дана", "Dňa", "בתאריך", "Þann", "เมื่อ")
WROTE = ("wrote", "schrieb", "a écrit", "escribió", "ha scritto", "escreveu", "schreef", "skrev", "kirjoitti",
         r"napisał(?:a|\(a\))?", "pisze", r"napsal(?:a|\(a\))?", "yazdı", "geskryf", "het volgende geschreven", "đã viết",
         "έγραψε", "a scris", "menulis", r"napisal(?:a|\(-?a\)|/a)?", r"(?:je )?napisao(?:/la| je)?", r"(?:je )?napisala(?: je)?",
         r"написал(?:а|\(-?а\))?", "написа", "пишет", "пише", r"написав(?:\(-?ла\))?", r"(?:је )?написао(?:/ла)?", r"כתב(?:/ה)?",
         "skrifaði", "írta", "rašė", "rakstīja", "kirjutas", "ysgrifennodd", "เขียนว่า", "бичсэн")
# Dutch, German, Norwegian and Swedish clients may name the writer after the verb: "Op ... schreef Jan <jan@x>:".
_WROTE_BEFORE_NAME = ("schreef", "skrev", "schrieb", "كتب", "skrifaði")
# A client wraps a long attribution wherever it likes, inside the verb too: Italian Gmail "... Paola <p@x> ha\nscritto:".
WROTE_PATTERN = "|".join(w.replace(" ", r"\s+") for w in WROTE)
# Yahoo and Rediff put dashes before it ("--- On Sun, 5 May 2024 ..., Srini <s@x> wrote:"); Zoho after it too
# ("---- On Mon, 23 Sep 2024 18:02:11 +0530 Joseph <j@x> wrote ---").
# The attribution may wrap onto a second line ("On Mon ... Olivia\n<x@y> wrote:"); up to 300 characters on its
# first line and 300 on the wrapped one (the widest any earlier reader accepted).
# Japanese, Chinese and Korean clients lead with the date and name the writer at the end: Gmail "2025年4月17日(木)
# 19:12 岡田 健一 <okada@x>:", Apple Mail "2025/04/17 19:12、岡田 <okada@x>のメール:", Thunderbird "... 岡田 さんは書きました:",
# "2025年4月17日 19:12，林 <lin@x> 写道：" (iOS: "在 2025年4月17日，19:12，林 <lin@x> 写道："), "2025년 4월 17일 (목) 오후 7:12, 박지원 <park@x>님이 작성:"
# (Traditional Chinese iOS: "於 2025年4月17日 下午7:12，林 <lin@x> 寫道："; Korean iOS: "2025. 4. 17. 오후 7:12, 박지원
# <park@x> 작성:", newer Korean iOS: "2025. 4. 17. 오후 7:12에 "박지원" <park@x>이(가) 작성함:").
_DATE_FIRST = (r"(?:[在於于]\s?)?\d{4}\s?[年/.년-]\s?\d{1,2}\s?[月/.월-]\s?\d{1,2}\s?[日일]?[^\n]{0,160}?"
               r"(?:<[^<>\n]{3,120}>\s*(?:のメール|님이 작성|(?:이\(가\)\s?)?작성함?)?|書きました|写道|寫道)\s*[:：]")
# Turkish Gmail names the writer first and the date after: "Emre Doğan <e@x>, 10 Nis 2024 Çar, 14:00 tarihinde
# şunu yazdı:"; iPhone: "10 Nis 2024 tarihinde 14:00 saatinde, Emre Doğan <e@x> şunları yazdı:".
_TURKISH = r"[^\n]{0,300}?\btarihinde\b[^\n]{0,300}?\bşun(?:u|ları)\s+yazdı\s*:"
# Clients that lead with the weekday, in any language, name the writer by address just before the verb
# (Croatian Gmail "čet, 6. velj 2025. u 11:12 Ana <a@x> napisao je:", Finnish "to 6.2.2025 klo 11.12 Ana <a@x>
# kirjoitti:", or with the address in brackets: "ti 27.5.2025 klo 15.02 Vainio Olli (o@x)\nkirjoitti:") or with
# no verb at all, or one no list holds, the time before the address (Russian Gmail "чт, 6 февр. 2025 г. в 11:12, Анна <a@x>:",
# a verb after it in a language not listed: "... 11:12 Анна <a@x> бичжээ:"; German Gmail
# may break the line inside the brackets: "Am Mo., 10. Juni 2024 um 16:45 Uhr schrieb Sabine Leitner <\ns@x>:");
# Hungarian Gmail names the writer first ("Ana <a@x> ezt írta (időpont: 2025. febr. 6., Cs, 11:12):"),
# and so do Chinese Gmail and iOS ("謝淑芬 <s@x> 於 2024年9月2日 週一 下午8:31寫道：", "谢淑芬 <s@x> 于2024年9月2日 20:31写道：");
# European Portuguese Gmail puts the date after the verb, and may wrap it: "Jorge <j@x> escreveu no dia terça,\n
# 4/07/2023 à(s) 09:10:" (the address before the verb is what makes such a line an attribution).
_ANY_LEAD = (r"[^\n]{0,300}?(?:<[^<>\s@]{1,64}@[^<>\s]{1,120}>|\([^()<>\s@]{1,64}@[^()<>\s]{1,120}\))\s*(?:" + WROTE_PATTERN +
             r")(?:[^\S\n]+[^\n]{0,120}?(?:\n[^\n]{0,120}?)?)?\s*[:：]"
             r"|[^\n]{0,200}?\d{1,2}[:.]\d{2}\b[^\n]{0,200}?<\n?[^<>\s@]{1,64}@[^<>\s]{1,120}>(?:[ \t]*+" + LETTER + r"{2,20}+){0,2}\s*[:：]"
             r"|[^\n]{0,300}?\bezt írta\b[^\n]{0,200}?[:：]"
             r"|[^\n]{0,300}?<[^<>\s@]{1,64}@[^<>\s]{1,120}>\s*[於于][^\n]{0,80}?[寫写]道\s*[:：]")
# Thunderbird in Russian (and other locales it ships without a lead word) starts with the date and time:
# "11.11.2024 12:44, Виктор Лебедев пишет:", no address.
_NUMERIC_DATE_FIRST = (r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}[,.]?[^\S\n]{1,3}\d{1,2}:\d{2}[^\n]{0,200}?(?:" + WROTE_PATTERN +
                       r")\s*[:：]")
# Apple Mail in Polish names the writer first: "Wiadomość napisana przez Jan <jan@x> w dniu 21.07.2025, o godz. 20:15:".
WRITER_FIRST_LEADS = ("Wiadomość napisana przez", "Wiadomość od")
ATTRIBUTION = (r"(?:(?:" + "|".join(WRITER_FIRST_LEADS) + r")\s[^\n]{0,300}?:|(?:-{2,}\s*)?(?:" + "|".join(ATTRIBUTION_LEADS) + r")\s[^\n]{0,300}?(?:\n[^\n]{0,300}?)?"
               r"(?:" + WROTE_PATTERN + r")\s*(?::|-{3,})|[^\n]{0,200}?\b(?:" + "|".join(_WROTE_BEFORE_NAME) +
               r")\s[^\n]{0,160}?:|" + _DATE_FIRST + "|" + _NUMERIC_DATE_FIRST + "|" + _TURKISH + "|" + _ANY_LEAD + r")[ \t]*$")

# The header fields of an inline forwarded or quoted message ("From:", "Von:", "Objet:" ...), by what they mean.
FIELD_NAMES = {
    "from": ("From", "Von", "De", "Van", "Da", "Fra", "Från", "Od", "Nadawca", "Kimden", "Gönderen", "Mittente", "差出人", "送信者", "发件人", "寄件者", "寄件人",
             "보낸 사람", "보낸사람", "من", "Từ", "Šalje", "Από", "От", "Од", "Від", "Від кого", "От кого", "Feladó", "De la", "Lähettäjä", "Saatja",
             "Nuo", "Dari", "מאת", "จาก", "ผู้ส่ง", "Frá", "Daripada", "გამგზავნი", "Kutoka", "Шаље", "Oddi wrth", "Хэнээс", "Илгээгч"),
    "to": ("To", "An", "À", "Para", "Aan", "A", "Til", "Till", "Do", "Adresat", "Komu", "Kime", "Pour", "宛先", "收件人", "收件者", "받는 사람", "받는사람", "إلى", "Đến",
           "Prima", "Προς", "Кому", "За", "Za", "Címzett", "Către", "Vastaanottaja", "Adressaat", "Kam", "Kepada", "אל", "ถึง",
           "ადრესატი", "Kwa", "Прима", "At", "Хэнд", "Хүлээн авагч"),
    "cc": ("Cc", "Kopie", "Kopia", "Kopi", "DW", "Bilgi", "Copie à", "抄送", "副本", "참조", "نسخة", "Kopija", "Κοιν.", "Κοιν",
           "Копия", "Копија", "Копія", "Másolatot kap", "Másolat", "Kopio", "Kópia", "Kp", "Tembusan", "עותק", "สำเนาถึง", "สำเนา",
           "Afrit", "Sk", "ასლი", "Nakala", "Хуулбар"),
    "date": ("Date", "Datum", "Data", "Dato", "Sent", "Gesendet", "Envoyé", "Enviado", "Enviada", "Enviado el",
             "Enviado em", "Enviada em", "Verzonden", "Gestuur", "Inviato", "Sendt", "Skickat", "Wysłane", "Wysłano",
             "Odesláno", "Gönderildi", "Tarih", "Fecha", "送信日時", "日付", "日時", "日期", "发送时间", "发送日期", "寄件日期",
             "보낸 날짜", "날짜", "تم الإرسال", "التاريخ", "Đã gửi", "Ngày", "Poslano", "Poslato", "Послато", "Στάλθηκε",
             "Ημερομηνία", "Отправлено", "Дата", "Надіслано", "Изпратено", "Trimis", "Elküldve", "Dátum", "Lähetetty",
             "Päivämäärä", "Päiväys", "Saadetud", "Išsiųsta", "Nosūtīts", "Dikirim", "Tanggal", "Odoslané", "נשלח", "תאריך", "วันที่", "ส่งเมื่อ", "ส่ง",
             "Dagsetning", "Dags.", "Tarikh", "Dihantar", "თარიღი", "Tarehe", "Датум", "Anfonwyd", "Dyddiad", "Илгээсэн",
             "Огноо"),
    "subject": ("Subject", "Betreff", "Objet", "Asunto", "Onderwerp", "Oggetto", "Assunto", "Emne", "Ämne",
                "Temat", "Předmět", "Konu", "Sujet", "件名", "主题", "主旨", "제목", "الموضوع", "Chủ đề", "Predmet", "Θέμα", "Тема",
                "Tema", "Tárgy", "Subiect", "Aihe", "Teema", "Tēma", "Perihal", "Subjek", "Zadeva", "Относно", "נושא", "หัวเรื่อง", "หัวข้อ", "เรื่อง",
                "Efni", "თემა", "Somo", "Pwnc", "Сэдэв", "Гарчиг"),
}
# Only these are keyed to their meaning; a date field keeps its own name (nothing reads it by meaning).
FIELD_KEY = {name.lower(): key for key, names in FIELD_NAMES.items() if key != "date" for name in names}
FROM_FIELDS = FIELD_NAMES["from"]
# Yahoo's plain text writes a forwarded message's header fields on its separator line, one glued to the next:
# "----- Forwarded Message ----- From: A <a@x>To: B <b@x>Sent: Thursday, May 8, 2025 8:15 PMSubject: Intro".
_GLUED = re.compile(r"^([ \t>]*-{2,}[ \t]*(?:" + "|".join(re.escape(w) for w in SEPARATOR_WORDS) + r")[ \t]*-*)[ \t]*"
                    r"((?:" + "|".join(FROM_FIELDS) + r")[ \t\xa0]*:[^\n]*)$", re.MULTILINE | re.IGNORECASE)
# Yahoo glues the fields with nothing between them ("...com>To: ..."); its Android app with spaces ("...>   À : ..."),
# the only place a one-letter field name (the French and Spanish "À", "A") is told from a word; French puts a
# (no-break) space before the colon.
_FIELD_NAME_LIST = sorted({re.escape(n) for names in FIELD_NAMES.values() for n in names}, key=len, reverse=True)
_GLUED_FIELD = re.compile(r"(?<=\S)(?:[ \t]*(?=(?:" + "|".join(n for n in _FIELD_NAME_LIST if len(n) > 1) + r")[ \xa0]?: )"
                          r"|[ \t]{2,}(?=(?:" + "|".join(n for n in _FIELD_NAME_LIST if len(n) == 1) + r")[ \xa0]?: ))")


def unglued_header_fields(text: str) -> str:
    """Each field of such a glued header block on a line of its own, under its separator line."""
    if "--" not in text:
        return text
    return _GLUED.sub(lambda m: m.group(1) + "\n" + _GLUED_FIELD.sub("\n", m.group(2)), text)


# Outlook's quoted header block starts "From: ...", "Von: ...", "De: ..." (bold in HTML mail: "*From:*").
_OUTLOOK_FROM = r"\*?(?:" + "|".join(FROM_FIELDS) + r")\s*(?::\*?\s|：)[^\n]*"
# The name of a header field no list holds: one to three words ("Dată", "Sent on", "نسخة إلى"). Possessive: what
# follows a field name is never a letter, so giving letters back never makes a match; trying to was much of the
# time spent on the lines of plain text, each of which opens with a word.
FIELD_WORDS = LETTER + r"(?:[^\W\d_.'’-]|[" + MARKS + r"]){0,24}+(?:[ .'’-]{1,2}+" + LETTER + r"{1,24}+){0,2}+"
# One whose sender field has a name no list holds (Latvian Outlook's "No:", over "Nosūtīts:", "Kam:", "Tēma:"): a
# one-to-three-word field naming an address, vouched for by two fields every list holds on the lines under it
# (a blank line may sit between fields of HTML mail turned into text), or, when no list holds any of its names
# (Khmer Outlook's "ពី:", "បានផ្ញើ:", "ទៅ:"), by a field within the next three that dates the message: a year and
# a time, as every client's "Sent:" and "Date:" give them; then the field holds a sender and nothing else, a name
# and an address ("Clarification requests: by 18 July, to procurement@x" over a deadline is a notice's text).
_KNOWN_FIELD = (r"[ \t>*]*(?:" + "|".join(name for key, names in FIELD_NAMES.items() if key != "from" for name in names) +
                r")[ \t]*\*?[:：][^\n]*+\n(?:[ \t>]*\n)?")
# A field of any name up to its colon, on a line of its own (quoted, indented or bold in HTML mail turned into text).
_FIELD_OPENING = r"[ \t>*]*" + FIELD_WORDS + r"[ \t]*\*?[:：]"
_SOME_FIELD = _FIELD_OPENING + r"[^\n]*+\n"
_DATED_FIELD = (_FIELD_OPENING + r"[^\n]{0,80}?"
                r"(?:\d{4}[^\n]{0,40}?\d{1,2}[:.]\d{2}|\d{1,2}[:.]\d{2}[^\n]{0,40}?\d{4})")
_SENDER_ONLY = (r"[ \t]*\*?[ \t]*(?:[^\n@<>\[\]\d]{0,80}?[<\[](?:mailto:)?[^<>\[\]\s@]{1,64}@[^<>\[\]\s]{1,120}[>\]]"
                r"|[^\s<>@]{1,64}@[^\s<>@]{1,120})[ \t]*\*?[ \t]*\n")
UNNAMED_FROM = (r"(?P<unnamed>" + FIELD_WORDS + r")[ \t]*\*?[:：](?:[^\n@]*+@[^\n]*+\n(?:[ \t>]*\n)?(?=" + _KNOWN_FIELD +
                _KNOWN_FIELD + ")|" + _SENDER_ONLY + r"(?:[ \t>]*\n)?(?=(?:" + _SOME_FIELD + "){0,2}" + _DATED_FIELD + "))")
# A forward or original-message line in a language no list holds: Gmail's dashes, words, dashes ("---------- Дамжуулсан
# мессеж ---------"), Outlook's ("-----Оригинал-----") or its underscore rule, vouched for by a field naming an address
# right under it (the blocks open with the sender's).
UNNAMED_SEPARATOR = (r"(?:-{5,}+[ \t]*+" + LETTER + r"[^\n-]{0,60}+-{5,}+|_{10,}+)[ \t]*+\n(?:[ \t>]*\n)?"
                     r"(?=" + _FIELD_OPENING + r"[^\n@]*+@)")

# Where the new text ends: a separator, an attribution or an Outlook header block, at the start of a line.
_CUT = re.compile(r"^[ \t]*(?:" + SEPARATOR + "|" + UNNAMED_SEPARATOR + "|" + _OUTLOOK_FROM + "|" + UNNAMED_FROM + ")",
                  re.IGNORECASE | re.MULTILINE)
_CUT_ATTRIBUTION = re.compile(r"^[ \t]*" + ATTRIBUTION, re.IGNORECASE | re.MULTILINE)
_COLON_AT_LINE_END = re.compile(r"(?:[:：]|\s-{3,})[ \t]*$", re.MULTILINE)


def attribution_matches(pattern: re.Pattern, text: str, stop: int | None = None) -> Iterator[re.Match]:
    """``pattern.finditer(text)`` for an attribution pattern, tried only where one can be.

    An attribution starts a line and ends its own line or the next one with a colon (Zoho: "wrote ---"): only those lines
    are tried, not every line (it was a fifth of all parsing, mostly on lines that end in no colon).
    ``stop``: no match starting at or after it is wanted.
    """
    reached = tried = -1
    for colon in _COLON_AT_LINE_END.finditer(text):
        line = text.rfind("\n", 0, colon.start()) + 1
        if stop is not None and line > stop:
            return
        for start in (text.rfind("\n", 0, line - 1) + 1 if line else 0, line):
            if start <= tried or start < reached or (stop is not None and start >= stop):
                continue
            tried = start
            found = pattern.match(text, start)
            if found:
                reached = found.end()
                yield found

# The lines a client puts under what its user wrote: the "-- " delimiter and the mobile and webmail taglines.
SIGNATURE_LINE = re.compile(
    r"^(?:-- ?|—|Sent (?:from|with|via) .+|Get Outlook for .+|Von meinem .+ gesendet.*|Gesendet von .+|"
    r"Envoyé (?:de|depuis) (?:mon|ma) .+|Enviado (?:desde|de) mi .+|\S+から送信|发自我的.+|寄自我的.+|從我的.+傳送|从我的.+发送)$",
    re.MULTILINE | re.IGNORECASE)


def quote_start(text: str) -> int:
    """Where what the sender newly wrote ends in ``text`` (its line ends already "\\n"): at its first separator,
    attribution or quoted header block; ``len(text)`` when it has none."""
    cut = _CUT.search(text)
    end = cut.start() if cut else len(text)
    attribution = next(attribution_matches(_CUT_ATTRIBUTION, text, stop=end), None)
    return attribution.start() if attribution is not None else end


def new_text(text: str, below_quotes: bool = False) -> str:
    """What the sender newly wrote: the text above the first separator, attribution or quoted header block.

    ``below_quotes`` keeps the lines written between and below ">"-quoted ones (an answer written inline,
    an intro read for its words); without it the text stops at the first quoted line and at a signature
    line, as an answer to refmail must: what follows a quote there is no part of the owner's command.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    end = quote_start(text)
    kept: list[str] = []
    for line in text[:end].split("\n"):
        if line.lstrip().startswith(">"):
            if below_quotes:
                continue
            break
        if not below_quotes and SIGNATURE_LINE.match(line.rstrip()):
            break
        kept.append(line if below_quotes else line.rstrip())
    return "\n".join(kept).strip()


def without_signature(text: str) -> str:
    """``text`` above its signature delimiter or client tagline (one on the first line is all there is: kept)."""
    sig = SIGNATURE_LINE.search(text)
    return text[: sig.start()] if sig and sig.start() > 0 else text


# ---- people ------------------------------------------------------------------------------------------------

# Titles written short, with a dot: "Dr. Weber", "Dott. Rossi" (the dot ends no sentence).
ABBREVIATED_TITLES = frozenset({
    "mr", "mrs", "ms", "mx", "dr", "prof", "mme", "mlle", "m", "sr", "sra", "srta", "dra", "ing", "arch", "dott",
    "avv", "mag",
})
# A dot after a title or abbreviation ("Dr. Weber", "Prof. Rossi", "vs.", "St. Brendan") ends no sentence: lookbehinds
# to put right after a sentence's closing mark.
NOT_AN_END = "".join(rf"(?<!\b{re.escape(w)}\.)" for w in sorted(
    {"vs", "St"} | {t.capitalize() for t in ABBREVIATED_TITLES}))
# Courtesy and professional titles before a name, lower case without their final dot.
HONORIFICS = ABBREVIATED_TITLES | {"miss", "sir", "dame", "herr", "frau", "dott.ssa", "dipl.-ing", "dipl-ing", "dipl.ing"}


def is_honorific(word: str) -> bool:
    return word.lower().rstrip(".") in HONORIFICS


def name_words(name: str) -> list[str]:
    """A display name's words, as written: 'Smith, Jane' -> ['Smith', 'Jane']."""
    return [w for w in re.split(r"[\s,]+", name) if w]


def given_name(name: str) -> str:
    """The first name in a display name, titles left out: 'Dr. Jane Smith' and 'Smith, Jane' -> 'Jane'; '' if none."""
    words = _given_first(name, [w for w in name_words(name) if not is_honorific(w)])
    return words[0] if words else ""


def _given_first(name: str, words: list[str]) -> list[str]:
    """``name``'s ``words`` with the given name first: "Last, First" is turned round."""
    return words[1:] + words[:1] if "," in name and len(words) > 1 else words


def display_words(people: tuple[Person, ...]) -> set[str]:
    """Every lower-case word of these people's display names ('Smith, Jane' -> jane, smith)."""
    return {w.lower() for p in people for w in name_words(p.name) if len(w) > 1 and w.isalpha()}


def _local_first(email: str) -> str:
    """'carol.prospect@x' -> 'carol': the first word of an address's local part."""
    return re.split(r"[._+-]", email.split("@")[0])[0]


def first_name(person: Person | None) -> str:
    """The name a text may call someone by, as written; falls back to the address ('carol.p@x' -> 'Carol')."""
    if person is None:
        return ""
    return given_name(person.name) or _local_first(person.email).capitalize()


# Scripts whose names put the family name first and are greeted whole ("森 健二", "陈志强", "김민수").
_WHOLE_NAME_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_VIETNAMESE_FAMILY = {"nguyễn", "nguyen", "trần", "tran", "lê", "le", "phạm", "pham", "hoàng", "hoang", "huỳnh",
                      "huynh", "phan", "vũ", "vu", "võ", "vo", "đặng", "dang", "bùi", "bui", "đỗ", "do", "hồ", "ho",
                      "ngô", "ngo", "dương", "duong", "lý", "ly", "đinh", "dinh", "trương", "truong", "lưu", "luu",
                      "trịnh", "trinh", "tạ", "đào", "dao", "lâm", "lam", "hà", "đoàn", "doan", "lương", "luong",
                      "mạc", "quách", "thái", "triệu", "phùng", "vương", "vuong", "tôn", "cao", "mai", "chu"}
_VIETNAMESE_MARKS = re.compile(r"[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđơư]", re.IGNORECASE)
_VIETNAMESE_MIDDLE = {"thị", "thi", "văn", "van"}
# Balinese names open with a gender word ("I Made Wirawan", "Ni Luh Putu Ayu"): nobody is greeted by it.
_BALINESE_PREFIX = {"I", "Ni", "Luh"}
# Titles written as words of their own: before Arabic-script names (the sheikh, the doctor, the engineer, the
# professor, the haji, Mr, Mrs) and after Japanese and Korean ones (sama, san, dono, sensei, nim, ssi).
_SCRIPT_TITLES = {"الشيخ", "شيخ", "الدكتور", "د.", "المهندس", "م.", "الأستاذ", "الاستاذ", "أ.", "حاجی", "حاجي",
                  "الحاج", "السيد", "السيدة", "様", "さま", "さん", "殿", "先生", "님", "씨"}


def greeting_name(person: Person | None) -> str:
    """The name to greet someone by in "Hi ...,", or "" when the mail gives none to trust (an initial alone).

    Written as people write their names to the world: "GIRARD Matthieu" and "TANAKA Hiroshi" put the family
    name first in capitals, "Phạm Thị Lan" and "森 健二" first by custom, "Ir. Muh. Rusdi" opens with a title
    and an abbreviation. "Hi GIRARD," or "Hi Ni," in a first touch is the owner's mistake in front of her referrer.
    """
    if person is None:
        return ""
    name = " ".join(person.name.split())
    local = person.email.split("@")[0]
    if not name or name.lower() == local.lower() or "@" in name:  # no display name, or only the address's
        first = _local_first(person.email)
        return first.capitalize() if len(first) > 1 and first.isalpha() else ""
    words = [w for w in name_words(name) if not is_honorific(w) and w not in _SCRIPT_TITLES] or name_words(name)
    if _WHOLE_NAME_SCRIPT.search(name):  # "林思颖 Sylvia Lim": the name in its own script
        return " ".join(w for w in words if _WHOLE_NAME_SCRIPT.search(w))
    words = _given_first(name, words)
    while len(words) > 1 and words[0] in _BALINESE_PREFIX:
        words = words[1:]
    # "Ir. Muh. Rusdi", "Capt. (Retd.) Nurul Amin": titles, abbreviations, asides
    spelled = [w for w in words if not w.endswith((".", ")")) and not w.startswith("(")]
    if not spelled:  # "Dr.": a title and nothing else
        return ""
    capitals = [w.isalpha() and w.isupper() and len(w) > 1 for w in spelled]
    if capitals[0] and not all(capitals):  # "GIRARD Matthieu", "HO Ka Wai": the family name first
        rest = [w for w, cap in zip(spelled, capitals) if not cap]
        return " ".join(rest) if len(spelled[0]) > 2 or len(rest) > 1 else spelled[0]  # "AJ Smith": initials
    if len(spelled) > 1 and (_VIETNAMESE_MARKS.search(name) or spelled[1].lower() in _VIETNAMESE_MIDDLE):
        # "Phạm Thị Lan" -> "Lan"; "Hạnh Nguyễn", written the western way, -> "Hạnh"
        western = spelled[0].lower() not in _VIETNAMESE_FAMILY and spelled[-1].lower() in _VIETNAMESE_FAMILY
        return spelled[0] if western else spelled[-1]
    first = spelled[0]
    return first if len(first.rstrip(".")) > 1 else ""


def first_names(people: tuple[Person, ...]) -> set[str]:
    """Lower-case first names a text may call these people by: from the display name and the address."""
    names = set()
    for p in people:
        given = given_name(p.name)
        if given:
            names.add(given.lower())
        local = _local_first(p.email)
        if len(local) > 2 and local.isalpha():
            names.add(local.lower())
    return names
