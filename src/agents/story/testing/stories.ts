/** Hand-written stories for the derivation tests, one per kind of need. */
import type { Story } from "../../../core/stories/types.js";

export function story(over: Partial<Story> & Pick<Story, "id" | "title">): Story {
  return { description: "", acceptanceCriteria: [], labels: [], components: [], source: `docs/stories/${over.id}.md`, ...over };
}

export const databaseStory = story({
  id: "KAN-21",
  title: "Order history stored in PostgreSQL",
  description: "Customers see their past orders. Orders are kept in a PostgreSQL database; add a schema migration for the orders table.",
  acceptanceCriteria: [
    { text: "Orders older than a year are still listed", done: false },
    { text: "Nightly backups can be restored", done: false },
  ],
  priority: "High",
  epic: "KAN-3 Orders",
});

export const mlStory = story({
  id: "KAN-22",
  title: "Product recommendations",
  description: "Serve a machine learning model that recommends products. Inference runs on a GPU; model serving must keep up with the shop's traffic.",
  acceptanceCriteria: [{ text: "Recommendations appear within 300 ms", done: false }],
  priority: "P2",
});

export const frontendStory = story({
  id: "KAN-23",
  title: "New checkout page",
  description: "Rebuild the checkout UI in React as a single-page app; static assets are served to the browser.",
  acceptanceCriteria: [{ text: "The page loads in under two seconds on 3G", done: false }],
  labels: ["frontend"],
  priority: "Medium",
});

export const apiStory = story({
  id: "KAN-24",
  title: "Public orders API",
  description: "Expose a REST API for partners. Performance: p95 < 300ms, 99.95% availability, RTO 1h, RPO 15 minutes.",
  acceptanceCriteria: [{ text: "GET /orders returns the partner's orders", done: false }],
  components: ["orders-service"],
  priority: "Highest",
});

/** Uses "rapid" and "therapist" and nothing else an API rule could match. */
export const rapidStory = story({
  id: "KAN-25",
  title: "Rapid onboarding for therapists",
  description: "Make onboarding rapid: fewer steps, clearer copy. Capital letters in the therapist's name are kept.",
  acceptanceCriteria: [{ text: "Onboarding takes under five minutes", done: false }],
  priority: "Low",
});
