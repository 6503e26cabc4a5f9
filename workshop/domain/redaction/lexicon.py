"""Word lists for finding names without a list: gazetteers (data files) and stop words.

The data files in ``data/`` (sources and licences in ``data/README.md``) are read once,
the first time a redactor is built, and kept as frozen sets.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources

from .base import _COMMON_WORDS, _words

__all__ = ["Lexicon", "fold", "lexicon"]


def fold(word: str) -> str:
    """Lower case without accents or apostrophes: the form the gazetteers are kept in."""
    w = word.casefold()
    if not w.isascii():
        w = "".join(c for c in unicodedata.normalize("NFKD", w) if not unicodedata.combining(c))
    return w.replace("’", "'")


# Words typed in comments that are not in the dictionary but are never names here:
# text-speak, family words, Welsh everyday words, social-care acronyms and organisations.
_NEVER_NAMES = frozenset(
    _words(
        """
        u ur urs im ive id ill dont cant wont isnt wasnt didnt doesnt havent hasnt couldnt
        wouldnt shouldnt arent werent thats whats theres hes shes theyre youre were weve
        idk tbh lol omg pls plz thx ty ta tho cos coz cuz bc innit gonna wanna gotta dunno
        yeah yep nah nope ok okay xx xxx xo hun hunni babe bae mate mates lad lads
        mam mum mums mam's nan nana nanna nain taid bampi gramps grampy grancha mamgu gu
        tad dad dads da granda grandad grandma grandpa aunty auntie uncle cuz bro sis
        bach fach cariad iawn diolch croeso hwyl fawr mae yn yr ar am ac ei eu fy dy dw dwi
        ddim oedd roedd doedd bod wedi gyda gan ond neu os pan fel hefyd mab merch teulu
        teuluoedd plant plentyn cyngor ysgol gymraeg gynradd gyfun heol stryd ffordd lon maes
        cwm nant coed bryn pen ty glas las hir mawr fach newydd hen siarad dweud gael cael
        mynd dod gweld gwneud gwybod meddwl gallu angen eisiau bwysig pwysig amser gwaith
        system data llwyr ffydd colli ofn arna arnom ni chi nhw fi fe hi nhw ymddiried
        gweithiwr cymdeithasol gofal gofalwyr maeth hawl hawliau barn sylw diogel cymorth
        nsppc nspcc ofsted camhs cafcass barnardos mash ehcp sen senco iro lac cin cp plo
        sgo sw hv gp dv yot pru aln adhd asd nhs dfe lga adcs frontline kinship
        nino nat ins codi byw gyda ddweud ddim dydw dyw dyn yma yna hyn hynny nawr heddiw
        insta instagram snap snapchat tiktok twitter facebook youtube whatsapp online email dev app
        pip ai ml dla esa uc reet luv wen wot wat gud shud cud wud babby babi
        wrth gyda'i efo hefo iddo iddi iddyn ganddi ganddo rhaid gwell gorau llawer mwy
        """
    )
)

# Words after "my son", "called" ... that are not a name: verbs and qualifiers.
_NOT_AFTER_CUE = frozenset(
    _words(
        """
        is was has had have does did goes went got gets can could will would should might must
        and or but who that which when where because says said told thinks thought needs
        needed wants wanted loves hates lives lived used uses keeps kept started stopped
        being been also just still only even now then too age aged aged years year yrs old
        too very really so not never always often sometimes usually ended came come comes
        here there home school nursery care foster in on at to for with from of by as
        """
    )
)

# Words that are never a name, whatever the gazetteers say ("My" and "Will" are names too).
FUNCTION_WORDS = frozenset(
    _words(
        """
        a an the this that these those my your his her its our their me him us them i you he
        she it we they mine yours ours theirs myself and or but nor so yet if then than when
        while where which who whom whose what why how because though although as at by for
        from in into of off on onto out over to up with about after before under until upon
        is am are was were be been being have has had do does did can could may might must
        shall should will would not no yes all any both each every few many more most much
        other some such own same very too also just only even still again once here there now
        born aged age old years year months weeks days said says told asked got get gets went
        goes go going come came lives lived living moved moving used using like
        """
    )
)

# Titles and relationship words that put a name right after them.
TITLES = frozenset(
    _words(
        """
        mr mrs ms miss mx dr prof sir dame auntie aunty aunt uncle nanna nana nan gran grandma
        grandad nain taid bampi mamgu cllr councillor
        """
    )
)
# "Mr", "Mrs" ... before a surname: any word that is not a stop word counts.
SURNAME_TITLES = frozenset(_words("mr mrs ms miss mx dr prof cllr councillor"))

RELATIONS = frozenset(
    _words(
        """
        son sons daughter daughters boy boys girl girls lad lass kid kids child children eldest
        youngest middle grandson granddaughter grandaughter grandchild nephew niece brother
        sister stepson stepdaughter partner husband wife ex fiance fiancee boyfriend girlfriend
        mum mam dad nan nain taid gran grandad cousin baby twins twin bro sis mab merch mam-gu
        stepdad stepmum step-son step-daughter bestie friend mate sibling siblings
        """
    )
)
OWNERS = frozenset(_words("my our his her their me ma fy ein ei"))
# "our Kaz", "our kid": in Northern and Welsh English "our" + a first name is a relative.
OUR = frozenset(_words("our"))

WORKERS = frozenset(
    _words(
        """
        worker sw hv iro teacher head headteacher senco interpreter carer manager nurse gp
        judge solicitor visitor officer advocate mentor keyworker therapist doctor pcsa pcso
        chair guardian befriender volunteer counsellor psychologist
        """
    )
)
CALLED = frozenset(_words("called named name's names"))
# "X's mum", "X's dad": the word before is a person.
KIN_AFTER = frozenset(
    _words(
        """
        mum mam dad nan nain taid gran grandad grandma sister brother son daughter teacher
        school nursery foster carer carers social worker sw case file family baby kids
        """
    )
)
SELF = frozenset(_words("i'm im i’m"))


# First names that the dictionary also lists as words, but which in these comments are
# almost always names ("amir" is also an emir; "nick", "mike" and "harry" are verbs).
_RARE_WORD_NAMES = frozenset(
    _words(
        """
        amir ameer emir aria ares azalea cadence caprice deacon jarred juniper lacy laurel maria
        marina martin mason matt maxim mike nick paddy peter pierce piers rares rosemary saffron
        sheikh sierra sultan tiara valentine viola wade warren harry eddy kitty dolly sally abbey
        aspen ember maverick
        """
    )
)
# Months and days are names too (May, June, August), but in comments they are dates.
_CALENDAR = frozenset(
    _words(
        """
        january february march april may june july august september october november december
        monday tuesday wednesday thursday friday saturday sunday
        """
    )
)


# Places, countries and firms that are also first names: not a name without a cue ("from
# Preston", "India and Kenya"), still one after it ("my son Preston", "our worker Sydney").
_PLACES = frozenset(
    _words(
        """
        wales england scotland ireland britain cymru europe africa asia america india kenya
        jordan georgia chad israel jamaica china nigeria ghana somalia syria eritrea ethiopia
        sudan uganda zimbabwe pakistan bangladesh poland romania lithuania latvia ukraine
        albania afghanistan iran iraq yemen libya egypt turkey cyprus malta italy spain france
        germany canada australia brazil peru chile cuba haiti mali niger togo benin gambia
        guinea kuwait qatar oman dubai sierra leone congo angola rwanda malawi zambia
        london manchester birmingham leeds liverpool bristol sheffield bradford preston
        chester lincoln kingston derby york hull wigan bolton bury stockport oldham rochdale
        blackburn burnley lancaster carlisle durham newcastle sunderland darlington
        nottingham leicester coventry warwick oxford cambridge norwich ipswich luton reading
        brighton southampton portsmouth plymouth exeter bath gloucester worcester hereford
        shrewsbury telford stafford stoke crewe warrington salford wakefield huddersfield
        halifax harrogate scarborough whitby devon cornwall kent essex surrey sussex dorset
        somerset cardiff swansea newport wrexham bangor aberystwyth carmarthen llanelli
        merthyr caerphilly bridgend barry penarth pontypridd rhondda neath cwmbran monmouth
        brecon powys gwynedd conwy rhyl prestatyn flint mold denbigh ruthin holyhead anglesey
        ceredigion pembroke tenby haverfordwest milford llandudno glasgow edinburgh aberdeen
        dundee belfast dublin sydney paris florence milan rome madrid berlin lagos accra
        nairobi karachi lahore dhaka sylhet mirpur warsaw krakow bucharest kyiv victoria
        amazon google microsoft apple meta tesco asda aldi lidl greggs
        welsh english british scottish irish polish romanian urdu punjabi arabic bengali
        somali tigrinya kurdish pashto farsi gujarati hindi tamil portuguese spanish french
        italian german chinese cantonese mandarin caribbean african asian european muslim
        christian hindu sikh jewish catholic anglican
        """
    )
)


class Lexicon:
    """The gazetteers and word lists, loaded once."""

    def __init__(self) -> None:
        self.never = _NEVER_NAMES | _CALENDAR | FUNCTION_WORDS
        self.calendar = _CALENDAR
        self.places = _PLACES
        # "Will", "May" and "June" stay first names (with a capital and in context).
        self.first = _load("first_names.txt") - (_NEVER_NAMES | (FUNCTION_WORDS - {"will", "may"}))
        self.surnames = _load("surnames.txt") - self.never
        self.everyday = (_load("everyday_words.txt") | _COMMON_WORDS) - _RARE_WORD_NAMES
        self.not_after_cue = _NOT_AFTER_CUE | FUNCTION_WORDS | TITLES | SURNAME_TITLES

    def is_first(self, word: str) -> bool:
        return fold(word) in self.first

    def plain_name(self, low: str) -> bool:
        """A first name that is not an everyday word (so counts in any case, anywhere)."""
        return low in self.first and low not in self.everyday and low not in self.never and low not in self.places

    def surname_only(self, low: str) -> bool:
        """A surname that is not a first name, a word or a place ("Okafor", "Patel")."""
        return (
            low in self.surnames
            and low not in self.first
            and low not in self.everyday
            and low not in self.never
            and low not in self.places
        )

    def everyday_word(self, low: str) -> bool:
        return low in self.everyday or low in self.never


def _load(name: str) -> frozenset[str]:
    with resources.files(__package__).joinpath("data", name).open(encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if line.strip())


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The shared lexicon (loaded on first use)."""
    return Lexicon()
