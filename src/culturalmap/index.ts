// The Inglehart–Welzel cultural map: item coding, fitting from IVS microdata, and placing a model's answers.
export * from "./items.ts";
export * from "./weightedCorrelation.ts";
export * from "./principalComponents.ts";
export * from "./varimax.ts";
export * from "./microdata.ts";
export * from "./projection.ts";
export * from "./fit.ts";
export * from "./answers.ts";
export * from "./reference.ts";
export * from "./place.ts";
