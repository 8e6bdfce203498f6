"""On-screen labels, accessible names and descriptions of the window's controls, in both languages.

Nepali menu titles carry no "&" mnemonic: Qt underlines by splitting the text there, which
breaks Devanagari letter clusters apart on screen.

Spoken messages live in the phrase catalogue (desktop_app/data/phrases.json); these are the
names of the controls themselves, which a screen reader reads when focus lands on them.
"""
from __future__ import annotations

# id -> language -> (visible text, accessible name, accessible description)
LABELS: dict[str, dict[str, tuple[str, str, str]]] = {
    "window": {
        "en": ("Nepali Cash Reader", "Nepali Cash Reader",
               "Tells the value of a Nepali banknote held in front of the camera. Hold Space to scan."),
        "ne": ("नेपाली नोट पहिचान", "नेपाली नोट पहिचान",
               "क्यामेराको अगाडि राखिएको नेपाली नोटको मान बताउँछ। स्क्यान गर्न स्पेस थिचिराख्नुहोस्।"),
    },
    "preview": {
        "en": ("", "Camera preview", "Live picture from the camera or the video being scanned."),
        "ne": ("", "क्यामेराको दृश्य", "क्यामेरा वा स्क्यान भइरहेको भिडियोको प्रत्यक्ष दृश्य।"),
    },
    "result": {
        "en": ("", "Last result", "The last value or message the app announced. Press R to hear it again."),
        "ne": ("", "अन्तिम नतिजा", "एपले पछिल्लो पटक भनेको मान वा सन्देश। फेरि सुन्न R थिच्नुहोस्।"),
    },
    "status": {
        "en": ("", "Status", "What the app is doing now, and any problem with the camera, sound or model."),
        "ne": ("", "स्थिति", "एपले अहिले के गर्दैछ, र क्यामेरा, आवाज वा मोडेलको कुनै समस्या।"),
    },
    "scan": {
        "en": ("Scan (hold Space)", "Scan",
               "Hold this button, or the Space key, while the note is in front of the camera. "
               "The value is spoken as soon as it is sure."),
        "ne": ("स्क्यान (स्पेस थिचिराख्नुहोस्)", "स्क्यान",
               "नोट क्यामेराको अगाडि राखेर यो बटन वा स्पेस थिचिराख्नुहोस्। पक्का भएपछि मान भनिन्छ।"),
    },
    "repeat": {
        "en": ("Repeat", "Repeat", "Says the last announcement again."),
        "ne": ("दोहोर्याउनुहोस्", "दोहोर्याउनुहोस्", "पछिल्लो सन्देश फेरि भन्छ।"),
    },
    "language": {
        "en": ("नेपाली", "Switch to Nepali", "Switches speech and labels between Nepali and English."),
        "ne": ("English", "अंग्रेजीमा बदल्नुहोस्", "बोली र लेबल नेपाली र अंग्रेजीबीच बदल्छ।"),
    },
    "open": {
        "en": ("Open video… (Ctrl+O)", "Open video file",
               "Scans a recorded video file instead of the camera. Shortcut: Control O."),
        "ne": ("भिडियो खोल्नुहोस्… (Ctrl+O)", "भिडियो फाइल खोल्नुहोस्",
               "क्यामेराको सट्टा रेकर्ड गरिएको भिडियो स्क्यान गर्छ। छोटो कुञ्जी: कन्ट्रोल O।"),
    },
    "help": {
        "en": ("Help", "Help", "Speaks how to use the app."),
        "ne": ("सहायता", "सहायता", "एप कसरी चलाउने भनेर सुनाउँछ।"),
    },
    "menu.file": {
        "en": ("&File", "File menu", "Open a video, teach a note, choose a camera, or quit."),
        "ne": ("फाइल", "फाइल मेनु", "भिडियो खोल्नुहोस्, नोट सिकाउनुहोस्, क्यामेरा छान्नुहोस् वा बन्द गर्नुहोस्।"),
    },
    "menu.camera": {
        "en": ("&Camera", "Camera menu", "Choose which camera to scan with."),
        "ne": ("क्यामेरा", "क्यामेरा मेनु", "कुन क्यामेराले स्क्यान गर्ने छान्नुहोस्।"),
    },
    "menu.speech": {
        "en": ("&Speech", "Speech menu", "Volume, speed, tones and privacy mode."),
        "ne": ("बोली", "बोली मेनु", "आवाज, गति, टोन र गोपनीय मोड।"),
    },
    "action.open": {
        "en": ("&Open video…", "Open video file", "Scans a recorded video file instead of the camera."),
        "ne": ("भिडियो खोल्नुहोस्…", "भिडियो फाइल खोल्नुहोस्", "क्यामेराको सट्टा रेकर्ड गरिएको भिडियो स्क्यान गर्छ।"),
    },
    "action.teach": {
        "en": ("&Teach a note…", "Teach a note",
               "Teaches the app a note it does not name yet: choose the value, then show each side "
               "and hold Space. Spoken step by step; Escape cancels. Shortcut: Control T."),
        "ne": ("नोट सिकाउनुहोस्…", "नोट सिकाउनुहोस्",
               "एपले अहिले नचिन्ने नोट सिकाउँछ: मान छान्नुहोस्, अनि हरेक पाटो देखाएर स्पेस "
               "थिचिराख्नुहोस्। हरेक चरण बोलेर भनिन्छ; एस्केपले रद्द गर्छ। छोटो कुञ्जी: कन्ट्रोल T।"),
    },
    "action.quit": {
        "en": ("&Quit", "Quit", "Closes the app."),
        "ne": ("बन्द गर्नुहोस्", "बन्द गर्नुहोस्", "एप बन्द गर्छ।"),
    },
    "action.camera": {
        "en": ("Camera {n}", "Camera {n}", "Scan with camera number {n}."),
        "ne": ("क्यामेरा {n}", "क्यामेरा {n}", "क्यामेरा नम्बर {n} ले स्क्यान गर्नुहोस्।"),
    },
    "action.volume_up": {
        "en": ("Volume up", "Volume up", "Makes speech louder."),
        "ne": ("आवाज बढाउनुहोस्", "आवाज बढाउनुहोस्", "बोली ठूलो बनाउँछ।"),
    },
    "action.volume_down": {
        "en": ("Volume down", "Volume down", "Makes speech quieter."),
        "ne": ("आवाज घटाउनुहोस्", "आवाज घटाउनुहोस्", "बोली सानो बनाउँछ।"),
    },
    "action.faster": {
        "en": ("Faster speech", "Faster speech", "Speaks faster."),
        "ne": ("छिटो बोली", "छिटो बोली", "छिटो बोल्छ।"),
    },
    "action.slower": {
        "en": ("Slower speech", "Slower speech", "Speaks slower."),
        "ne": ("बिस्तारै बोली", "बिस्तारै बोली", "बिस्तारै बोल्छ।"),
    },
    "action.earcons": {
        "en": ("Tones", "Tones", "Plays a short tone when a scan starts and ends."),
        "ne": ("टोन", "टोन", "स्क्यान सुरु र अन्त्य हुँदा छोटो टोन बजाउँछ।"),
    },
    "action.privacy": {
        "en": ("Privacy mode", "Privacy mode", "Tells the value by pulses instead of words."),
        "ne": ("गोपनीय मोड", "गोपनीय मोड", "मान शब्दको सट्टा पल्सले बताउँछ।"),
    },
    "menu.output": {
        "en": ("Who speaks", "Who speaks menu",
               "Choose whether this app, your screen reader, or both speak."),
        "ne": ("को बोल्ने", "को बोल्ने मेनु", "यो एप, स्क्रिन रिडर वा दुवै बोल्ने छान्नुहोस्।"),
    },
    "action.output.app": {
        "en": ("This app speaks", "This app speaks",
               "The app speaks every message; the screen reader only shows it, for braille."),
        "ne": ("यो एपले बोल्छ", "यो एपले बोल्छ", "एपले हरेक सन्देश बोल्छ; स्क्रिन रिडरले ब्रेलका लागि देखाउँछ मात्र।"),
    },
    "action.output.screen_reader": {
        "en": ("Screen reader speaks", "Screen reader speaks",
               "Your screen reader speaks every message; the app plays only its tones."),
        "ne": ("स्क्रिन रिडरले बोल्छ", "स्क्रिन रिडरले बोल्छ", "स्क्रिन रिडरले हरेक सन्देश बोल्छ; एपले टोन मात्र बजाउँछ।"),
    },
    "action.output.both": {
        "en": ("Both speak", "Both speak", "The app and your screen reader both speak every message."),
        "ne": ("दुवै बोल्छन्", "दुवै बोल्छन्", "एप र स्क्रिन रिडर दुवैले हरेक सन्देश बोल्छन्।"),
    },
    "action.larger": {
        "en": ("Larger text", "Larger text", "Makes the text larger."),
        "ne": ("ठूलो अक्षर", "ठूलो अक्षर", "अक्षर ठूलो बनाउँछ।"),
    },
    "action.smaller": {
        "en": ("Smaller text", "Smaller text", "Makes the text smaller."),
        "ne": ("सानो अक्षर", "सानो अक्षर", "अक्षर सानो बनाउँछ।"),
    },
    "history": {
        "en": ("", "History", "The last results, newest first, with the time each was said. "
               "Arrow keys move through them."),
        "ne": ("", "इतिहास", "पछिल्ला नतिजाहरू, नयाँ पहिले, भनेको समयसहित। तीर कुञ्जीले सार्नुहोस्।"),
    },
    # A button's key, as the key map has it now (moved or turned off: WCAG 2.1.4).
    "shortcut": {
        "en": ("{text} ({key})", "", "Shortcut: {key}."),
        "ne": ("{text} ({key})", "", "छोटो कुञ्जी: {key}।"),
    },
    "enter": {
        "en": ("", "", "Press Enter to activate it."),
        "ne": ("", "", "चलाउन इन्टर थिच्नुहोस्।"),
    },
}


def label(item: str, language: str, **params) -> tuple[str, str, str]:
    texts = LABELS[item].get(language) or LABELS[item]["en"]
    return tuple(t.format(**params) if params else t for t in texts)  # type: ignore[return-value]


def keyed_label(item: str, language: str, key: str, **params) -> tuple[str, str, str]:
    """A control's label with the key it has now (``key``: the key map's name for it, "" when
    turned off), so a moved or removed shortcut is never announced or shown (WCAG 2.1.4)."""
    text, name, description = label(item, language, **params)
    if not key:
        return text, name, description
    with_key, _, shortcut = label("shortcut", language, text=text, key=key)
    return with_key, name, f"{description} {shortcut}"
