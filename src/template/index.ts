// Shell command templates: handlebars with shell quoting and strict names (DESIGN §3).
export { BUILTIN_NAMES, HELPER_NAMES, RESERVED_NAMES, type BuiltinName } from './names.js';
export { checkTemplate, renderTemplate, contextNames, type TemplateWhere } from './render.js';
export { templateIssues, type TemplateIssue } from './check.js';
export { shellValue } from './engine.js';
