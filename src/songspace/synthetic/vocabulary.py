"""Genres, their tags and the words the synthetic songs are named with.

Prevalence is skewed like the real Million Song Subset (rock and pop dominate), and
artist terms mix genre words, sub-genres and non-genre words, as real tags do.
"""

# genre -> (prevalence, sub-genre terms, related genres an artist may also be tagged with)
GENRES: dict[str, tuple[float, list[str], list[str]]] = {
    "rock": (0.24, ["alternative rock", "hard rock", "classic rock", "indie rock",
                    "soft rock", "garage rock"], ["pop", "metal", "blues", "folk"]),
    "pop": (0.17, ["pop rock", "dance pop", "synthpop", "teen pop", "power pop"],
            ["rock", "electronic", "soul"]),
    "electronic": (0.12, ["electro", "trance", "downtempo", "idm", "electronica", "breakbeat"],
                   ["pop", "hip hop"]),
    "hip hop": (0.09, ["rap", "underground rap", "gangster rap", "alternative hip hop",
                       "east coast rap"], ["soul", "electronic"]),
    "jazz": (0.08, ["smooth jazz", "bebop", "vocal jazz", "swing", "jazz fusion"],
             ["blues", "soul", "latin"]),
    "country": (0.06, ["alt-country", "country rock", "honky tonk", "bluegrass"],
                ["folk", "rock"]),
    "metal": (0.06, ["heavy metal", "death metal", "thrash metal", "metalcore", "doom metal"],
              ["rock", "punk"]),
    "folk": (0.05, ["folk rock", "indie folk", "singer-songwriter", "acoustic folk"],
             ["country", "rock"]),
    "blues": (0.04, ["blues-rock", "delta blues", "chicago blues", "electric blues"],
              ["jazz", "rock"]),
    "reggae": (0.03, ["roots reggae", "dancehall", "dub", "ska"], ["latin", "hip hop"]),
    "latin": (0.03, ["salsa", "latin pop", "reggaeton", "bossa nova"], ["jazz", "pop"]),
    "classical": (0.03, ["orchestra", "baroque", "opera", "chamber music"], ["jazz"]),
}
# Genres that exist only as secondary tags (no artist has them as primary genre).
TAG_ONLY_GENRES = ["punk", "soul", "funk"]

NON_GENRE_TERMS = [
    "united states", "guitar", "male vocalist", "female vocalist", "american", "british",
    "80s", "90s", "00s", "instrumental", "ballad", "love songs", "beautiful", "chill",
    "piano", "german", "french", "uk", "canada", "seen live", "live", "cover", "dance",
    "experimental", "soundtrack", "acoustic", "california", "new york", "mellow", "party",
]

TITLE_WORDS = [
    "Love", "Night", "Heart", "Fire", "Rain", "Road", "Dream", "River", "Light", "Home",
    "Blue", "Gold", "Summer", "Shadow", "Time", "Song", "Wild", "Broken", "City", "Star",
    "Dance", "Stone", "Ghost", "Midnight", "Ocean", "Sweet", "Train", "Angel", "Storm", "Sun",
    "Señorita", "Café", "Über", "Noël",
]
NAME_SYLLABLES = [
    "ka", "lo", "mi", "ra", "ve", "to", "sa", "ne", "dri", "bo", "chu", "la", "mar", "ti",
    "zé", "ö", "an", "el", "jo", "ry", "fa", "go", "lu", "den", "son", "ber", "ník", "ay",
]
ARTIST_SUFFIXES = ["", "", "", " Band", " & The Crew", " Trio", " Orchestra", " Project",
                   " Brothers", " Quartet"]
