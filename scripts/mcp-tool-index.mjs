// Write dist/mcp-tools.json: every MCP tool with its JSON input schema, made from
// the built code (which loads each specialist for its zod schema). The MCP server
// answers tools/list from it without loading a specialist (src/interfaces/mcp/tools.ts).
import { writeFileSync } from "node:fs";
import { buildToolIndex, TOOL_INDEX_PATH } from "../dist/interfaces/mcp/tools.js";
import { ALL_SPECIALISTS } from "../dist/interfaces/specialists.js";

const index = await buildToolIndex(ALL_SPECIALISTS);
writeFileSync(TOOL_INDEX_PATH.join("/"), JSON.stringify(index) + "\n");
