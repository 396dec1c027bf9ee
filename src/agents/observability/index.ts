export * from "./model.js";
export * from "./names.js";
export * from "./rules-file.js";
export * from "./feedback.js";
