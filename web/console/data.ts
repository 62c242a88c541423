import { signal } from "@preact/signals";
import { api } from "./api";
import type { CopilotStatus, Experience, ExperienceList, Shortcut, ShortcutList, Team, TeamList } from "./types";

// Lists several screens share (teams for routing and invitations, shortcuts for every composer,
// experiences for the segment editor). Fetched once on first use, refreshed after edits.

export const teams = signal<Team[] | null>(null);
export const shortcuts = signal<Shortcut[] | null>(null);
export const experiences = signal<Experience[] | null>(null);

let teamsLoading: Promise<Team[]> | null = null;
let shortcutsLoading: Promise<Shortcut[]> | null = null;
let experiencesLoading: Promise<Experience[]> | null = null;

export function loadTeams(force = false): Promise<Team[]> {
  if (teams.value && !force) return Promise.resolve(teams.value);
  if (teamsLoading && !force) return teamsLoading;
  teamsLoading = api<TeamList>("GET", "/api/teams")
    .then((d) => (teams.value = d.teams ?? []))
    .finally(() => (teamsLoading = null));
  return teamsLoading;
}

export function loadShortcuts(force = false): Promise<Shortcut[]> {
  if (shortcuts.value && !force) return Promise.resolve(shortcuts.value);
  if (shortcutsLoading && !force) return shortcutsLoading;
  shortcutsLoading = api<ShortcutList>("GET", "/api/shortcuts")
    .then((d) => (shortcuts.value = d.shortcuts ?? []))
    .finally(() => (shortcutsLoading = null));
  return shortcutsLoading;
}

export function loadExperiences(force = false): Promise<Experience[]> {
  if (experiences.value && !force) return Promise.resolve(experiences.value);
  if (experiencesLoading && !force) return experiencesLoading;
  experiencesLoading = api<ExperienceList>("GET", "/api/experiences")
    .then((d) => (experiences.value = d.experiences ?? []))
    .finally(() => (experiencesLoading = null));
  return experiencesLoading;
}

export function resetData(): void {
  teams.value = null;
  shortcuts.value = null;
  experiences.value = null;
}

// The AI Copilot's state for this org (on/off, retrieval, endpoint): asked once per page, again
// after an admin switches it.
export const copilotStatus = signal<CopilotStatus | null>(null);
let copilotLoading: Promise<CopilotStatus> | null = null;

export function loadCopilotStatus(force = false): Promise<CopilotStatus> {
  if (copilotStatus.value && !force) return Promise.resolve(copilotStatus.value);
  if (copilotLoading && !force) return copilotLoading;
  copilotLoading = api<CopilotStatus>("GET", "/api/copilot")
    .then((d) => (copilotStatus.value = d))
    .finally(() => (copilotLoading = null));
  return copilotLoading;
}

// An admin turned the copilot on or off (the `copilot.changed` event in the socket's batch):
// every open composer shows or hides the AI commands at once, no reload needed.
export function applyCopilotChanged(enabled: boolean): void {
  if (copilotStatus.value) copilotStatus.value = { ...copilotStatus.value, enabled };
  else void loadCopilotStatus(true).catch(() => null);
}

// After a reconnection the console may have missed a `copilot.changed`: ask again if this
// page has asked before.
export function refreshCopilotStatus(): void {
  if (copilotStatus.value) void loadCopilotStatus(true).catch(() => null);
}
