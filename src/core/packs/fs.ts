import { readFileSync, readdirSync, statSync } from "node:fs";

/**
 * The only door through which packs are read. Tests wrap it to count reads
 * (activating an agent must read that agent's file and nothing more).
 */
export interface PackFs {
  readFile(path: string): string;
  /** File names in a directory; [] when it does not exist. */
  list(dir: string): string[];
  isDir(path: string): boolean;
}

export const nodePackFs: PackFs = {
  readFile: (path) => readFileSync(path, "utf8"),
  list: (dir) => {
    try {
      return readdirSync(dir).sort();
    } catch {
      return [];
    }
  },
  isDir: (path) => {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  },
};
