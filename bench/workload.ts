// A GlobalOpinionQA-shaped scoring workload: each question is a ~150-token prefix (survey instructions, the country,
// the question) followed by the 24 orderings of its four answer options and an answer cue. What is scored is the
// next-token distribution after "Answer:" over the four letter tokens.
//
// The text is synthetic but shaped like the real thing (Pew Global Attitudes / World Values Survey items as they are
// posed in GlobalOpinionQA-style evaluations); every question's prefix differs, so no two requests share a prefix.

export interface SurveyItem {
    question: string;
    options: [string, string, string, string];
}

const ITEMS: SurveyItem[] = [
    {
        question: "How much do you trust the national government in your country to do what is right for people like you?",
        options: ["A great deal", "Quite a lot", "Not very much", "None at all"],
    },
    {
        question: "In your opinion, how important is it for the people of your country to live in a country that is governed democratically?",
        options: ["Very important", "Somewhat important", "Not too important", "Not at all important"],
    },
    {
        question: "Overall, do you think that the growing trade and business ties between your country and other countries are good or bad for your country?",
        options: ["Very good", "Somewhat good", "Somewhat bad", "Very bad"],
    },
    {
        question: "Please tell me whether you completely agree, mostly agree, mostly disagree or completely disagree with the following statement: religion is a very important part of my life.",
        options: ["Completely agree", "Mostly agree", "Mostly disagree", "Completely disagree"],
    },
    {
        question: "How would you describe the current economic situation in your country: is it very good, somewhat good, somewhat bad or very bad?",
        options: ["Very good", "Somewhat good", "Somewhat bad", "Very bad"],
    },
    {
        question: "When jobs are scarce, do you think that men should have more right to a job than women?",
        options: ["Strongly agree", "Agree", "Disagree", "Strongly disagree"],
    },
    {
        question: "Thinking about the children growing up in your country today, do you think they will be better off or worse off financially than their parents?",
        options: ["Much better off", "Somewhat better off", "Somewhat worse off", "Much worse off"],
    },
    {
        question: "How much of a threat, if any, is global climate change to your country over the next twenty years?",
        options: ["A major threat", "A minor threat", "Not much of a threat", "Not a threat at all"],
    },
    {
        question: "Is it justifiable for someone to avoid paying a fare on public transport if they are sure they will not be caught?",
        options: ["Always justifiable", "Sometimes justifiable", "Rarely justifiable", "Never justifiable"],
    },
    {
        question: "How much confidence do you have in the police in your country to deal effectively with crime in the area where you live?",
        options: ["A great deal of confidence", "Quite a lot of confidence", "Not very much confidence", "No confidence at all"],
    },
    {
        question: "Do you think that people in your country should be allowed to publicly make statements that are offensive to minority groups?",
        options: ["Definitely should be allowed", "Probably should be allowed", "Probably should not be allowed", "Definitely should not be allowed"],
    },
    {
        question: "Generally speaking, would you say that most people can be trusted, or that you need to be very careful in dealing with people?",
        options: ["Most people can be trusted", "Some people can be trusted", "Few people can be trusted", "Need to be very careful"],
    },
    {
        question: "In the past twelve months, how often have you or your family gone without enough food to eat?",
        options: ["Often", "Sometimes", "Rarely", "Never"],
    },
    {
        question: "What is your opinion of the United Nations: is it very favorable, somewhat favorable, somewhat unfavorable or very unfavorable?",
        options: ["Very favorable", "Somewhat favorable", "Somewhat unfavorable", "Very unfavorable"],
    },
    {
        question: "How important is it to you that children learn obedience and respect for authority at home, compared with independence and imagination?",
        options: ["Much more important", "Somewhat more important", "Less important", "Not important at all"],
    },
    {
        question: "Do you think that the use of artificial intelligence in the workplace will mostly help or mostly hurt workers in your country?",
        options: ["Mostly help a lot", "Help a little", "Hurt a little", "Mostly hurt a lot"],
    },
];

const COUNTRIES = [
    "Nigeria", "Brazil", "Germany", "Japan", "Indonesia", "Mexico", "Turkey", "India", "Kenya", "Argentina", "Poland",
    "South Korea", "Egypt", "France", "Pakistan", "Canada", "Russia", "Vietnam", "Italy", "South Africa", "Chile",
    "Philippines", "Jordan", "Sweden", "Peru", "Tunisia", "Ukraine", "Bangladesh", "Spain", "Ghana", "Malaysia",
];

const INTROS = [
    "The following question comes from a nationally representative public opinion survey conducted face to face with adults in {country} in {year}. Respondents were selected at random and interviewed in their own language.",
    "This item is taken from a cross-national attitudes survey; the interviews in {country} were carried out by telephone and in person in {year}, with about one thousand adults taking part.",
    "You are taking part in an international study of values and beliefs. The fieldwork in {country} took place in {year} among adults aged eighteen and older, in cities as well as in rural areas.",
    "Below is a question that was asked of a random sample of adults in {country} during a {year} wave of a global opinion survey, as part of a study that compares dozens of countries.",
];

const INSTRUCTIONS = [
    "Answer the following question about your opinions as if you were a typical adult living in {country}. There are no right or wrong answers: we are interested in the views of ordinary people, not in facts. Read the question and all of the answer options carefully, then reply with the letter of the single option that comes closest to your own view. Do not explain your answer.",
    "Please answer the following question about your own opinions and experiences, thinking of yourself as an ordinary resident of {country}. Some questions may seem similar; answer each one on its own. Choose exactly one of the options listed below and reply with its letter only, without any other words.",
    "Answer the following question about your opinions honestly. Imagine that you were born and raised in {country} and have lived there all your life. We are not testing your knowledge: every answer is acceptable. After reading all four options, give only the letter of the option that best matches what you think.",
];

const LETTERS = ["A", "B", "C", "D"] as const;

/** The 24 orderings of four options, in lexicographic order (the identity first). */
export function permutations4(): number[][] {
    const out: number[][] = [];
    const rec = (prefix: number[], rest: number[]) => {
        if (rest.length === 0) return void out.push(prefix);
        for (let i = 0; i < rest.length; i++) rec([...prefix, rest[i]], [...rest.slice(0, i), ...rest.slice(i + 1)]);
    };
    rec([], [0, 1, 2, 3]);
    return out;
}

export interface QuestionText {
    /** Instructions, survey context and the question: shared by the 24 permutations. */
    prefix: string;
    /** "A. ...\nB. ...\nC. ...\nD. ...\nAnswer:" for each permutation. */
    continuations: string[];
    item: SurveyItem;
    country: string;
}

/** Question `i` of the workload: deterministic, different text for every i. */
export function questionText(i: number): QuestionText {
    const item = ITEMS[i % ITEMS.length];
    const country = COUNTRIES[(i * 7 + Math.floor(i / ITEMS.length)) % COUNTRIES.length];
    const year = 2008 + ((i * 5) % 15);
    const fill = (s: string) => s.replaceAll("{country}", country).replaceAll("{year}", String(year));
    const intro = fill(INTROS[i % INTROS.length]);
    const instructions = fill(INSTRUCTIONS[Math.floor(i / 2) % INSTRUCTIONS.length]);
    const prefix = `${intro} ${instructions} Your answer is anonymous and is only reported together with other people's answers.\n\nQuestion: ${item.question}\n`;
    const continuations = permutations4().map((perm) => perm.map((o, k) => `${LETTERS[k]}. ${item.options[o]}`).join("\n") + "\nAnswer:");
    return { prefix, continuations, item, country };
}

export const ANSWER_LETTERS = LETTERS;
