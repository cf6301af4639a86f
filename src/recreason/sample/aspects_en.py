"""English aspect vocabulary for the synthetic sample (same layout as ``aspects_zh``).

``care`` reads well after "someone who …"; ``ref`` adjectives go before ``noun`` (with an article where
the noun needs one); clauses are lower-case and are capitalised when they start a sentence.
"""

from __future__ import annotations

ASPECTS: dict[str, dict] = {
    "performance": {
        "noun": "performance", "care": "cares about performance", "ref": ("fast", "strong"),
        "pos": ("performance is excellent, even heavy apps run smoothly", "everything opens almost instantly",
                "multitasking is smooth with plenty of headroom", "it feels fast and responsive"),
        "mid": ("performance is fine for everyday use", "performance is okay, with the odd stutter under load"),
        "neg": ("performance is sluggish and it lags often", "apps take ages to open",
                "it slows to a crawl with a few programs open")},
    "screen": {
        "noun": "display", "care": "wants a great display", "ref": ("a sharp", "a bright"),
        "pos": ("the display is sharp and vivid", "the screen looks great and colours really pop",
                "the high refresh rate makes scrolling buttery smooth", "the screen is bright enough to read outdoors"),
        "mid": ("the display is decent", "the screen is fine, if a little washed out"),
        "neg": ("the display looks fuzzy and tires my eyes", "the screen is dim and the colours look dull",
                "the display has noticeable ghosting")},
    "battery": {
        "noun": "battery life", "care": "cares about battery life", "ref": ("long", "dependable"),
        "pos": ("the battery life is excellent", "the battery lasts longer than I expected",
                "one charge goes a long way", "battery life is a real strength"),
        "mid": ("battery life is just okay", "the battery only just gets me through the day"),
        "neg": ("the battery drains way too fast", "battery life is disappointing",
                "I have to charge it far more often than I'd like")},
    "camera": {
        "noun": "camera", "care": "takes a lot of phone photos", "ref": ("an excellent", "a sharp"),
        "pos": ("the camera takes sharp, vivid photos", "photos look great even at night", "the main camera is excellent",
                "colours in photos are spot on"),
        "mid": ("the camera is fine in daylight", "photos are average and soft in low light"),
        "neg": ("photos come out blurry and noisy", "the camera is a letdown", "colours in photos look off")},
    "storage": {
        "noun": "storage", "care": "needs plenty of storage", "ref": ("ample", "generous"),
        "pos": ("there's plenty of storage for all my photos and apps", "storage is generous, I never have to clean up",
                "the storage is huge"),
        "mid": ("storage is just about enough", "storage is okay, but I clear space now and then"),
        "neg": ("storage fills up far too quickly", "I keep getting low-storage warnings",
                "storage is too small for what I need")},
    "weight": {
        "noun": "weight", "care": "prefers lightweight gear", "ref": ("low", "minimal"),
        "pos": ("it's really light and easy to carry around", "the weight is barely noticeable", "it's impressively light",
                "the low weight makes a big difference"),
        "mid": ("the weight is average, neither light nor heavy", "it's a little heavier than I hoped"),
        "neg": ("it's heavy and a pain to carry", "the weight gets tiring after a while", "it's much heavier than it looks")},
    "sound": {
        "noun": "sound", "care": "cares about sound quality", "ref": ("rich", "detailed"),
        "pos": ("the sound is rich with punchy bass", "vocals come through crisp and clear",
                "sound quality is detailed and a joy to listen to", "it sounds far better than I expected"),
        "mid": ("the sound is decent", "sound quality is okay, the bass is a bit weak"),
        "neg": ("the sound is muddy", "the treble is harsh and tiring", "sound quality is thin and flat")},
    "noise_cancelling": {
        "noun": "noise cancelling", "care": "commutes and wants some quiet", "ref": ("strong", "effective"),
        "pos": ("noise cancelling is excellent, the subway goes quiet", "the ANC blocks out almost everything",
                "noise cancelling makes the office so much calmer"),
        "mid": ("noise cancelling is modest, it takes the edge off", "the ANC is only so-so"),
        "neg": ("noise cancelling barely does anything", "the ANC is weak, trains are still loud",
                "noise isolation is poor")},
    "comfort": {
        "noun": "comfort", "care": "wears headphones for hours", "ref": ("all-day", "excellent"),
        "pos": ("they're comfortable for hours", "they stay put even on runs", "they feel light in the ears with no pressure",
                "comfortable enough to forget I'm wearing them"),
        "mid": ("comfort is okay, with some pressure after an hour", "they're fine to wear but need adjusting"),
        "neg": ("they hurt my ears after a while", "they keep falling out and pinch", "they're uncomfortable to wear for long")},
    "image_quality": {
        "noun": "image quality", "care": "chases image quality", "ref": ("superb", "excellent"),
        "pos": ("image quality is superb with lots of detail", "images are sharp with lovely colours",
                "low-light shots stay clean", "the dynamic range leaves plenty of room for editing"),
        "mid": ("image quality is decent, a bit noisy at high ISO", "images are average"),
        "neg": ("images get noisy fast", "images look soft and lack detail", "image quality doesn't match the price")},
    "autofocus": {
        "noun": "autofocus", "care": "shoots fast-moving subjects", "ref": ("fast", "accurate"),
        "pos": ("autofocus is fast and accurate", "subject tracking is rock solid", "focusing is quick, great for candid shots"),
        "mid": ("autofocus is okay but hunts in low light", "focusing is average"),
        "neg": ("autofocus is slow and misses often", "tracking can't keep up with moving subjects",
                "too many shots are out of focus")},
    "cushioning": {
        "noun": "cushioning", "care": "wants soft cushioning on runs", "ref": ("plush", "responsive"),
        "pos": ("the cushioning is great, my knees feel fine after 10k", "they feel soft and bouncy underfoot",
                "landings feel smooth and protected", "the midsole has lots of energy return"),
        "mid": ("cushioning is average, long runs get tiring", "the ride is a bit firm"),
        "neg": ("there's hardly any cushioning", "the sole is too hard and my feet ache", "my knees hurt after every run")},
    "grip": {
        "noun": "grip", "care": "runs on wet roads", "ref": ("secure", "reliable"),
        "pos": ("grip is excellent, no slipping even in the rain", "the outsole grips well on every surface",
                "the outsole is grippy and hard-wearing"),
        "mid": ("grip is okay, careful on wet roads", "the outsole wears a bit fast"),
        "neg": ("they're slippery on wet ground", "the outsole wore smooth within weeks", "grip is poor on corners")},
    "breathability": {
        "noun": "breathability", "care": "hates sweaty feet", "ref": ("great", "excellent"),
        "pos": ("they're very breathable, my feet stay dry", "the upper breathes well even in summer",
                "ventilation is excellent"),
        "mid": ("breathability is okay, a bit warm in summer", "they get a little stuffy on hot days"),
        "neg": ("they're hot and sweaty", "the upper doesn't breathe at all", "my feet overheat on every run")},
    "fabric": {
        "noun": "fabric", "care": "cares about good fabrics", "ref": ("soft", "quality"),
        "pos": ("the fabric feels soft and high quality", "the material drapes beautifully",
                "the fabric is lovely against the skin", "the material is substantial, not see-through"),
        "mid": ("the fabric is okay, a bit thin", "the material creases after washing"),
        "neg": ("the fabric feels cheap and scratchy", "the material pills badly", "the fabric is thin and see-through")},
    "fit": {
        "noun": "fit", "care": "cares about a flattering fit", "ref": ("a flattering", "a tailored"),
        "pos": ("the fit is flattering", "it's cut beautifully and nips in at the waist", "it fits true to size"),
        "mid": ("the fit is okay, slightly boxy", "it runs about half a size large"),
        "neg": ("the cut is unflattering and bulky", "sizing is way off", "the shoulders don't fit at all")},
    "style": {
        "noun": "style", "care": "likes clothes with character", "ref": ("timeless", "elegant"),
        "pos": ("the style is gorgeous and gets compliments", "the design details are really thoughtful",
                "I love the colour and the design"),
        "mid": ("the style is fairly plain", "the design is nice but nothing special"),
        "neg": ("it looks nothing like the photos", "the style feels dated", "the colour is different from the pictures")},
    "moisturizing": {
        "noun": "hydration", "care": "has dry skin", "ref": ("lasting", "deep"),
        "pos": ("it keeps my skin hydrated all day", "hydration is excellent, my skin feels plump",
                "it's moisturising without being heavy"),
        "mid": ("hydration is average, I need a cream on top", "it's only moderately hydrating"),
        "neg": ("my skin still feels tight after using it", "it doesn't hydrate at all", "my skin got drier with it")},
    "gentleness": {
        "noun": "formula", "care": "has sensitive skin", "ref": ("a gentle", "a mild"),
        "pos": ("it's gentle, no irritation on my sensitive skin", "no redness at all, very mild",
                "the formula is gentle and calming"),
        "mid": ("it tingles a little at first", "it's mostly gentle, with the odd itch"),
        "neg": ("it made my face red and stinging", "it broke me out in a rash", "it's too harsh for sensitive skin")},
    "texture": {
        "noun": "texture", "care": "likes lightweight textures", "ref": ("light", "non-greasy"),
        "pos": ("the texture is light and absorbs quickly", "it melts into the skin", "it sinks in fast with no stickiness"),
        "mid": ("the texture is a bit thick and slow to absorb", "it's slightly tacky"),
        "neg": ("the texture is greasy and never sinks in", "it pills when I layer it", "it's heavy and sticky")},
    "flavor": {
        "noun": "flavour", "care": "loves specialty coffee", "ref": ("complex", "layered"),
        "pos": ("the flavour is complex and well balanced", "it's clean with a lovely sweet finish",
                "I can taste bright fruit and floral notes", "the flavour is layered with a long finish"),
        "mid": ("the flavour is fine but unremarkable", "the taste is a bit one-dimensional"),
        "neg": ("it tastes bitter and astringent", "the flavour is flat and dull", "it's sour to the point of undrinkable")},
    "aroma": {
        "noun": "aroma", "care": "loves the smell of fresh coffee", "ref": ("rich", "inviting"),
        "pos": ("the aroma fills the kitchen", "it smells amazing when ground", "the aroma is rich and inviting"),
        "mid": ("the aroma is mild", "the aroma fades quickly"),
        "neg": ("there's almost no aroma", "it smells stale", "the aroma is flat")},
    "freshness": {
        "noun": "freshness", "care": "cares about fresh beans", "ref": ("guaranteed", "excellent"),
        "pos": ("the beans arrived freshly roasted", "freshness is excellent, the roast date was days ago",
                "the beans are fresh and oily"),
        "mid": ("freshness is okay, the roast date was a few weeks back", "the beans were reasonably fresh"),
        "neg": ("the beans were stale on arrival", "the roast date was months old", "the beans tasted old and dry")},
    "content": {
        "noun": "content", "care": "reads to learn", "ref": ("substantial", "solid"),
        "pos": ("the content is substantial and practical", "it's full of insight, I learned a lot",
                "the content rewards rereading"),
        "mid": ("the content is okay but sometimes vague", "the content is fairly introductory"),
        "neg": ("the content is padded and thin", "it repeats itself endlessly", "there's nothing new in the content")},
    "readability": {
        "noun": "writing", "care": "likes an easy read", "ref": ("clear", "engaging"),
        "pos": ("the writing is clear and easy to follow", "it's beautifully written, I read it in one go",
                "the translation reads naturally"),
        "mid": ("the writing is plain but readable", "the translation is stiff in places"),
        "neg": ("the writing is dense and hard going", "the translation is painfully stiff", "it's buried in jargon")},
    "print": {
        "noun": "print quality", "care": "collects physical books", "ref": ("excellent", "lovely"),
        "pos": ("the print quality is crisp on good paper", "the binding is beautiful, worth keeping",
                "the layout is easy on the eyes"),
        "mid": ("the print quality is average, thin paper", "the binding is plain"),
        "neg": ("the print is blurry with typos", "the paper is cheap and smells", "the binding cracked straight away")},
    "waterproof": {
        "noun": "waterproofing", "care": "camps in the rain", "ref": ("reliable", "solid"),
        "pos": ("it stayed bone dry through a night of rain", "waterproofing is excellent, no leaks in a downpour",
                "the waterproofing makes rainy trips stress-free"),
        "mid": ("waterproofing is fine for light rain", "the seams get a bit damp"),
        "neg": ("it leaks as soon as it rains", "water seeped in after one storm",
                "the waterproofing failed and my sleeping bag got wet")},
    "space": {
        "noun": "space", "care": "camps with family", "ref": ("generous", "roomy"),
        "pos": ("there's plenty of space for the whole family", "it's roomy inside, with space for gear",
                "it never feels cramped"),
        "mid": ("space is just enough", "it gets cramped once the gear is in"),
        "neg": ("it's far too small to sleep in", "it's so cramped I can barely turn around",
                "there's much less space than advertised")},
    "setup": {
        "noun": "setup", "care": "wants a quick pitch", "ref": ("quick", "easy"),
        "pos": ("setup is simple, one person can do it in minutes", "it goes up fast and packs away easily",
                "it was easy to pitch on the first try"),
        "mid": ("setup takes a while", "setup is manageable with the instructions"),
        "neg": ("setup is a nightmare, it took half an hour", "the poles are so fiddly one person can't pitch it",
                "it's a struggle to pack it back into the bag")},
    "value": {
        "noun": "value", "care": "looks for good value", "ref": ("great", "excellent"),
        "pos": ("it's great value for money", "for this price it's a bargain", "it's worth every penny",
                "it beats others at the same price"),
        "mid": ("the price is about fair", "value is average"),
        "neg": ("it's overpriced for what you get", "the value just isn't there", "I overpaid for this")},
}
