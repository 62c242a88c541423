// Generated from the server's /openapi.json by web/gen-types.mjs (`make types`). Do not edit:
// change the pydantic models, then regenerate.

export interface paths {
    "/api/accounts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Accounts of my org (search by name or domain) */
        get: {
            parameters: {
                query?: {
                    q?: string;
                    target?: boolean | null;
                    offset?: number;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AccountList"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        /** Create or update the account for a domain (admins) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["AccountBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SavedAccount"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/accounts/import": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Import accounts from CSV (text/csv body; admins) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AccountImport"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/accounts/{account_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete an account (admins) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    account_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Ok"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/accounts/{account_id}/360": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Account 360: the company, its visitors (who is on the site now), pages, campaigns and ad clicks, chats */
        get: {
            parameters: {
                query?: {
                    zone?: string;
                };
                header?: never;
                path: {
                    account_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Account360"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/email-settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who is emailed about missed chats; the daily summary's time zone */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OrgEmailSettings"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        /** Set the team address for missed chats (as well as or instead of the reps) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["OrgEmailSettingsBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OrgEmailSettings"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/api-tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The org's API tokens, revoked ones included (admins) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ApiTokenList"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        /** Make an API token; the answer is the only time the token is shown (admins) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["ApiTokenBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["NewApiToken"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/api-tokens/{token_id}/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke an API token: refused from the next request on, by every process (admins) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    token_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ApiTokenOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The admin audit log, newest first, a page at a time (admins) */
        get: {
            parameters: {
                query?: {
                    before?: string | null;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AuditPage"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign in; sets the session cookie */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["LoginBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["MeOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign out this browser */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Ok"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/logout-everywhere": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign out every browser of mine, this one included; their consoles close at once */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Ok"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/blocks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Blocked & Reported: blocked visitors, IP blocks, reports (admins) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["BlocksOverview"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/business-hours": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Business hours of the org and of each team, with holidays and whether open now */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["HoursList"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/business-hours/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who is inside business hours now, and when each closed team is back */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["HoursStatus"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/business-hours/{scope}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Set business hours for the org ('org') or a team (its id): weekly hours in a time zone, holidays, the away experience */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    scope: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["HoursBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["HoursOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        post?: never;
        /** Remove business hours (the org or team is then always inside hours) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    scope: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Ok"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/business-hours/{scope}/holiday-feed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Import holidays from an iCal feed (a URL read now, or the file's text); they replace the holidays imported before */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    scope: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["HolidayFeedBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["HoursOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/calls/ice-settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The server's STUN and TURN settings for calls (set by the operator; admins) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["IceSettingsOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/calls/transfer-other-chats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** On a call: hand each of my other active chats to an available colleague (one click) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OtherChatsTransferred"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/capacity": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Chat capacity: the org default, each rep's open chats and limit, the queue */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CapacityOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        /** Set the org's chat capacity per rep and what happens beyond everyone's */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["CapacityBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CapacityOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/conversations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Inbox: incoming, active (mine) or recent */
        get: {
            parameters: {
                query?: {
                    box?: "incoming" | "active" | "recent";
                    qualified?: boolean | null;
                    tag?: string | null;
                    q?: string | null;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ConversationList"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/conversations/{conversation_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A conversation with its full transcript */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    conversation_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Transcript"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/conversations/{conversation_id}/accept": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Accept an incoming chat (first rep wins; 409 if taken) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    conversation_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ConversationSummary"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/conversations/{conversation_id}/auto-pounce": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resolve a reply to an auto pounce without answering: Spam or No response needed */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    conversation_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["AutoPounceAction"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Ok"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/conversations/{conversation_id}/classification": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Classify a chat: qualified, tags, deal value, notes */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    conversation_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["ClassificationBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Classification"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/conversations/{conversation_id}/end": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End a chat */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    conversation_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ConversationSummary"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/conversations/{conversation_id}/files": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a file in a chat (multipart/form-data: client_id, file); it becomes a message whose meta.file describes it */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    conversation_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Uploaded"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/conversations/{conversation_id}/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a message (idempotent by client_id) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    conversation_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["MessageBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PostedMessage"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/conversations/{conversation_id}/phone-legs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Calls to the visitor's phone placed for this chat, newest first */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    conversation_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PhoneLegList"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/conversations/{conversation_id}/transfer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Transfer a chat to an available rep */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    conversation_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["TransferBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ConversationSummary"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/copilot": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The copilot's state for my org */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CopilotStatus"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/copilot/admin": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Copilot overview: status, knowledge counts, website sources, usage per rep (admins) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CopilotAdmin"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/copilot/expand": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Expand bullets or keywords into a full message in a tone */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["ExpandBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["WrittenOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/copilot/knowledge": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The org's knowledge items, newest first (admins) */
        get: {
            parameters: {
                query?: {
                    kind?: ("article" | "qa" | "page" | "shortcut" | "past_answer") | null;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["KnowledgeList"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        /** Add an article or a Q&A pair (admins) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["ItemBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["KnowledgeItemOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/copilot/knowledge/import": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Import articles and Q&A pairs from CSV or Markdown, all or nothing (admins) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["ImportBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ImportResult"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/copilot/knowledge/{item_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete an article, a Q&A pair or a past answer (admins) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    item_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Ok"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Edit an article or a Q&A pair (admins) */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    item_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["ItemPatch"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["KnowledgeItemOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/copilot/settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Turn the copilot on or off for the org (admins) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["SettingsBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CopilotStatus"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/copilot/sources": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Website sources with their status (admins) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["WebSourceList"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        /** Add a sitemap or page URLs on the org's website; fetched in the background (admins) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["SourceBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["WebSourceOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/copilot/sources/{source_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove a website source and its pages (admins) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    source_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Ok"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/copilot/sources/{source_id}/fetch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Fetch a website source again now (admins) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    source_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["WebSourceOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/copilot/suggest": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Suggest answers to the visitor's latest question, with sources and confidence */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["SuggestBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SuggestOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/copilot/tune": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Fix grammar and spelling and apply a tone; with the diff */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["TuneBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TunedOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/experiences": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Inbound-chat experiences (the default first) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ExperienceList"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        /** Create an experience (admins) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["ExperienceBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ExperienceOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/experiences/{experience_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete an experience; its segments fall back to the default (admins) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    experience_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Ok"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Change an experience (admins) */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    experience_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["ExperienceBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ExperienceOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/files/links": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Signed short-lived URLs for files of chats I may see */
        get: {
            parameters: {
                query?: {
                    ids?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["FileLinks"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/files/settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My org's rules for files in chat */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["FileSettingsOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        /** Set my org's rules for files in chat (admins) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["FileSettings-Input"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["FileSettingsOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/invitations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My invitations of the last days (admins: everyone's), newest first */
        get: {
            parameters: {
                query?: {
                    days?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["InvitationList"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/ip-blocks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Block an IP address or CIDR range for the org, optionally until a time (admins) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["IpBlockBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["IpBlockOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/ip-blocks/{block_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Lift an IP block (admins) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    block_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Ok"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/ip-ranges": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The IP range -> company table (admins) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["IpRangeList"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        /** Add an IP range -> company entry (admins) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["IpRangeBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["IpRangeOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/ip-ranges/{range_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove an IP range entry (admins) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    range_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Ok"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/markdown/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Render markdown exactly as a message would be */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["PreviewBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Preview"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signed-in rep, their org and the CSRF token */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["MeOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/me/email-preferences": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My email preferences */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["EmailPreferences"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        /** Opt out of missed-chat emails; admins opt in to the daily summary */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["EmailPreferencesBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["EmailPreferences"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/me/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Change my password; every other browser of mine is signed out */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["PasswordBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Ok"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/me/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Availability and personal toggles */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["StatusBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RepOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/meeting-types": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The org's meeting types */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["MeetingTypeList"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        /** Create a meeting type */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["MeetingTypeBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["MeetingTypeOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/meeting-types/{type_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Replace a meeting type's settings */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    type_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["MeetingTypeBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["MeetingTypeOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        post?: never;
        /** Delete a meeting type (booked meetings stay) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    type_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Ok"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/meeting-types/{type_id}/members": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether each member can be booked now, and why not */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    type_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["MemberStatusList"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/meeting-types/{type_id}/next-owner": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who the meeting type's routing picks now (the round robin's next in line) */
        get: {
            parameters: {
                query?: {
                    visitor_id?: string | null;
                };
                header?: never;
                path: {
                    type_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["NextOwner"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/meetings/offers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send the meeting booker in a chat */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["OfferBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OfferOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/meetings/upcoming": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My booked meetings from now on, soonest first */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["MeetingList"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/offline-messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Messages visitors left while nobody was available */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OfflineMessageList"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/org": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My org */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OrgOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        /** Set the website origins allowed to embed the widget (admins) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["OriginsBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OrgOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/org/identity-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The secret your server signs identify() calls with (admins; docs/widget.md) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["IdentitySecretOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/org/identity-secret/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Replace the identity secret; hashes made with the old one are refused at once (admins) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["IdentitySecretOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/org/settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Org settings: auto pounce switch and timings, repeat interval, idle threshold, visitor-initiated calls, the messenger (colour, greeting, language, CSAT), privacy (retention, IP addresses, GPC/DNT) (admins) */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["OrgSettingsBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OrgOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/org/snippet": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The script tag to paste on every page of the website */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Snippet"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/phone-legs/{leg_id}/hang-up": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Hang up a call to a visitor's phone (a rep who sees its chat) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    leg_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PhoneLegOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/phone-legs/{leg_id}/voice-token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A short-lived Twilio Access Token for the console of the rep on this phone leg's browser call (the answered phone rings there); 404 for anyone else */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    leg_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["VoiceTokenOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/reports/proactive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Per rep and day: pounces, invitations sent/accepted/expired, auto pounces, replies, missed responses */
        get: {
            parameters: {
                query?: {
                    days?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ProactiveReport"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/reports/summary": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Reports: figures per day (in `zone`), per rep and in total, with filters; reps get their own only */
        get: {
            parameters: {
                query?: {
                    start?: string;
                    end?: string;
                    zone?: string;
                    rep_id?: string | null;
                    team_id?: string | null;
                    segment_id?: string | null;
                    channel?: ("inbound" | "pounce" | "invitation" | "auto_pounce") | null;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Report"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/reports/summary.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The console's table under the charts (days or reps) as CSV, with a Total row */
        get: {
            parameters: {
                query?: {
                    start?: string;
                    end?: string;
                    zone?: string;
                    rep_id?: string | null;
                    team_id?: string | null;
                    segment_id?: string | null;
                    channel?: ("inbound" | "pounce" | "invitation" | "auto_pounce") | null;
                    table?: "days" | "reps";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/csv": string;
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/reports/{report_id}/reviewed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mark a visitor report reviewed (admins) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    report_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Ok"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/reps": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Reps of my org */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RepList"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        /** Create a rep (admins) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["NewRepBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RepOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/reps/{rep_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change a rep's role (rep, lead, admin), name, or deactivate them (admins) */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    rep_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["RepPatch"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RepOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/reps/{rep_id}/availability": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A rep's working hours and days off (their own; admins: anyone's) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    rep_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AvailabilityOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        /** Set a rep's working hours (per weekday, in their time zone) and days off */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    rep_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["AvailabilityBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AvailabilityOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/reps/{rep_id}/calendar": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A rep's connected calendar and how its last read went */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    rep_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CalendarState"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        /** Connect a CalDAV calendar or a private iCal feed (read once now: refused with the reason if it cannot be read) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    rep_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["CalendarBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CalendarOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        post?: never;
        /** Disconnect a rep's calendar (the stored password is deleted) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    rep_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Ok"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/reps/{rep_id}/calendar/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Read a rep's calendar again now */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    rep_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CalendarState"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/reps/{rep_id}/chat-limit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Set one rep's chat limit (null: the org default) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    rep_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["RepLimitBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CapacityOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/segments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Segments in column order, with how many live visitors each holds now */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SegmentsPayload"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        /** Create a segment (admins); re-segments live visitors at once */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["SegmentBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SavedSegmentPayload"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/segments/order": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Set the priority order (left to right) of segments (admins) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["OrderBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SegmentsPayload"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/segments/{segment_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete a segment (admins) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    segment_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SegmentsPayload"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Change a segment's name, colour, rules or routing (admins) */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    segment_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["SegmentBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SavedSegmentPayload"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/shortcuts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My Shortcuts and Org Shortcuts, most used first */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ShortcutList"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        /** Create a shortcut (Org Shortcuts: admins only) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["ShortcutBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ShortcutOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/shortcuts/{shortcut_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete a shortcut (Org Shortcuts: admins only) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    shortcut_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Ok"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Edit a shortcut (Org Shortcuts: admins only) */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    shortcut_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["ShortcutPatch"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ShortcutOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/shortcuts/{shortcut_id}/use": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Fill a shortcut's variables for a conversation (or a visitor) and count the use */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    shortcut_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["UseShortcutBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["FilledShortcut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/teams": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Teams and their members */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TeamList"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        /** Create a team (admins) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["TeamBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TeamOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/teams/{team_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete a team; routing steps that named it are skipped (admins) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    team_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Ok"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Rename a team (admins) */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    team_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["TeamRename"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TeamName"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/teams/{team_id}/members": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Set a team's members (admins) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    team_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["TeamPatch"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TeamOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/telephony/settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Phone join settings (admins; the auth token is never returned) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PhoneSettingsPage"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        /** Change phone join settings: provider, credentials, numbers, countries, limits (admins) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["PhoneSettingsBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PhoneSettingsPage"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/telephony/{provider}/{org_id}/legs/{leg_id}/answer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The telephony provider asks what to do with the answered phone (form-encoded, signed: X-Twilio-Signature; 403 otherwise). Answers TwiML: <Dial><Client> to the console of the rep on the leg's browser call (a Twilio API key stored), else <Dial><Number> to the org's line */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    provider: string;
                    org_id: string;
                    leg_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/xml": string;
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/telephony/{provider}/{org_id}/legs/{leg_id}/dialed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The telephony provider asks what to do once the answered phone's <Dial> ended (form-encoded, signed; 403 otherwise): an apology when nobody answered, else hang up */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    provider: string;
                    org_id: string;
                    leg_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/xml": string;
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/telephony/{provider}/{org_id}/legs/{leg_id}/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The telephony provider's status callback (form-encoded, signed with the org's auth token: X-Twilio-Signature); 403 when the signature is missing or wrong */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    provider: string;
                    org_id: string;
                    leg_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Ok"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/visitors/{visitor_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Visitor 360: identity, visits with pages, conversations */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    visitor_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Visitor360"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/visitors/{visitor_id}/block": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Block a visitor (and optionally report them to admins) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    visitor_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["BlockBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["BlockResult"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/visitors/{visitor_id}/conversations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start a conversation with a visitor */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    visitor_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["MessageBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["StartedConversation"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/visitors/{visitor_id}/erase": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Erase a visitor: every row about them, their live state; open tabs start over as a new visitor (an erasure request; admins) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    visitor_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["VisitorErasure"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/visitors/{visitor_id}/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Everything stored about a visitor, as JSON (a data-subject access request; admins) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    visitor_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["VisitorExport"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/visitors/{visitor_id}/invitations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Invite a visitor to live chat; the chat starts when they reply */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    visitor_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["InvitationBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SentInvitation"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/visitors/{visitor_id}/invitations/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** What the visitor would see: #variables# filled in, unknown or empty ones left out */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    visitor_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["PreviewInvitationBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["InvitationPreview"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/visitors/{visitor_id}/unblock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Unblock a visitor (admins) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    visitor_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Ok"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Chat-end webhook endpoints (admins) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["WebhookList"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        /** Add a chat-end webhook endpoint; the answer holds its signing secret (admins) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["WebhookBody"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["NewWebhookEndpoint"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/webhooks/{endpoint_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove an endpoint (admins) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    endpoint_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Ok"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Enable, disable or change an endpoint (admins) */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    endpoint_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["WebhookPatch"];
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["WebhookEndpointOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/webhooks/{endpoint_id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Recent deliveries to an endpoint (admins) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    endpoint_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["DeliveryList"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process serves requests */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Health"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: the database and the bus answer (503 when not) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Readiness"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/widget/boot": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Is this browser (or its IP address) blocked? If not, the public messenger settings (CORS: the org's website origins only; the stock loader does not call it) */
        get: {
            parameters: {
                query?: {
                    site?: string;
                    vt?: string | null;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["WidgetBoot"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/widget/config": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Public messenger settings (CORS: the org's website origins only) */
        get: {
            parameters: {
                query?: {
                    site?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["WidgetConfig"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/widget/files": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A visitor sends a file (multipart/form-data: client_id, file); rate and byte limited per visitor and per address (CORS: the org's websites only) */
        post: {
            parameters: {
                query?: {
                    site?: string;
                    vt?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Uploaded"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/widget/files/links": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Signed short-lived URLs for files of the visitor's own chats (CORS: the org's websites only) */
        get: {
            parameters: {
                query?: {
                    ids?: string;
                    site?: string;
                    vt?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["FileLinks"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/widget/meetings/{offer_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A booking card: the offer's free times in the visitor's time zone (CORS: the org's websites only) */
        get: {
            parameters: {
                query?: {
                    site?: string;
                    tz?: string;
                };
                header?: never;
                path: {
                    offer_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["BookingCard"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/widget/meetings/{offer_id}/book": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Book one of the card's times (409 slot_taken: ask for the card again); body: BookBody */
        post: {
            parameters: {
                query?: {
                    site?: string;
                    tz?: string;
                };
                header?: never;
                path: {
                    offer_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["MeetingOut"];
                    };
                };
                /** @description Error */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** Account360 */
        Account360: {
            account: components["schemas"]["AccountOut"];
            owner_name: string | null;
            visitor_total: number;
            visitors: components["schemas"]["AccountVisitor"][];
            online_now: components["schemas"]["AccountVisitor"][];
            zone: string;
            page_views_by_day: components["schemas"]["DayCount"][];
            top_pages: components["schemas"]["PageCount"][];
            campaigns: components["schemas"]["Campaign"][];
            ad_clicks: components["schemas"]["AdClick"][];
            conversations: components["schemas"]["ConversationSummary"][];
            classification: components["schemas"]["Classified"][];
            meetings: components["schemas"]["MeetingOut"][];
            calls: components["schemas"]["CallOut"][];
        };
        /** AccountBody */
        AccountBody: {
            name: string;
            domain: string;
            /** @default false */
            target_account?: boolean;
            /** @default 0 */
            open_pipeline?: number;
            /** @default null */
            owner_rep_id?: string | null;
            /** @default null */
            employees?: number | null;
            /** @default null */
            industry?: string | null;
            custom?: {
                [key: string]: unknown;
            };
        };
        /**
         * AccountBrief
         * @description The account a visitor's company matched, as visitor cards and Visitor 360 show it.
         */
        AccountBrief: {
            id: string;
            name: string;
            domain: string;
            target_account: boolean;
            open_pipeline: number;
            owner_rep_id: string | null;
        };
        /** AccountImport */
        AccountImport: {
            created: number;
            updated: number;
            errors: string[];
        };
        /** AccountList */
        AccountList: {
            accounts: components["schemas"]["AccountOut"][];
            total: number;
        };
        /** AccountOut */
        AccountOut: {
            id: string;
            name: string;
            domain: string;
            target_account: boolean;
            open_pipeline: number;
            owner_rep_id: string | null;
            employees: number | null;
            industry: string | null;
            custom: {
                [key: string]: unknown;
            };
        };
        /**
         * AccountVisitor
         * @description A visitor from the company, with their latest activity.
         */
        AccountVisitor: {
            id: string;
            name: string | null;
            email: string | null;
            last_seen_at: string | null;
            visit_count: number;
            online: boolean;
            activity: ("active" | "another_tab" | "idle") | null;
            current_url: string | null;
            current_title: string | null;
        };
        /**
         * Ack
         * @description A message this socket sent is stored (a retried client_id gets the same ack again).
         */
        Ack: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "ack";
            client_id: string;
            message: components["schemas"]["MessageOut"];
        };
        /**
         * ActivityFrame
         * @description The tab became active, went to the background, or idle.
         */
        ActivityFrame: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "activity";
            /** @enum {string} */
            state: "active" | "another_tab" | "idle";
        };
        /**
         * AdClick
         * @description An ad click id kept from a visit's landing URL (gclid, msclkid, fbclid, li_fat_id).
         */
        AdClick: {
            kind: string;
            value: string;
            visitor_id: string;
            landing_url: string;
            at: string | null;
        };
        /** Answer */
        Answer: {
            question: string;
            answer: string;
        };
        /** ApiTokenBody */
        ApiTokenBody: {
            name: string;
            scopes: ("read" | "write" | "admin")[];
        };
        /** ApiTokenList */
        ApiTokenList: {
            tokens: components["schemas"]["ApiTokenOut"][];
        };
        /** ApiTokenOut */
        ApiTokenOut: {
            id: string;
            name: string;
            scopes: ("read" | "write" | "admin")[];
            prefix: string;
            created_by: string;
            /** Format: date-time */
            created_at: string;
            last_used_at: string | null;
            revoked_at: string | null;
        };
        /** AuditEntryOut */
        AuditEntryOut: {
            id: string;
            /** Format: date-time */
            created_at: string;
            actor_rep_id: string | null;
            actor_name: string;
            /** @enum {string} */
            actor_kind: "session" | "api_token" | "system";
            action: string;
            summary: string;
            target: {
                [key: string]: unknown;
            };
            details: {
                [key: string]: unknown;
            };
            ip: string | null;
            request_id: string | null;
        };
        /** AuditPage */
        AuditPage: {
            entries: components["schemas"]["AuditEntryOut"][];
            next_before: string | null;
        };
        /** AutoPounceAction */
        AutoPounceAction: {
            /** @enum {string} */
            action: "spam" | "no_response_needed";
        };
        /** AvailabilityBody */
        AvailabilityBody: {
            time_zone: string;
            weekly_hours: {
                [key: string]: string[][];
            };
            days_off?: string[];
        };
        /** AvailabilityOut */
        AvailabilityOut: {
            rep_id: string;
            time_zone: string;
            weekly_hours: {
                [key: string]: string[][];
            };
            days_off: string[];
        };
        /**
         * Batch
         * @description Live-stream events, coalesced: at most one batch per socket every 200 ms
         *     (`FRONTDESK_REP_BATCH_INTERVAL`), and at most one event per visitor in it (the newest
         *     state; an update after a join is merged into it).
         */
        Batch: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "batch";
            events: (components["schemas"]["VisitorJoined"] | components["schemas"]["VisitorUpdated"] | components["schemas"]["VisitorLeft"] | components["schemas"]["ConversationUpdated"] | components["schemas"]["RepChanged"] | components["schemas"]["InvitationUpdated"] | components["schemas"]["PhoneLegUpdated"] | components["schemas"]["CopilotChanged"])[];
        };
        /** BlockBody */
        BlockBody: {
            /** @default false */
            report?: boolean;
            /** @default null */
            reason?: string | null;
        };
        /** BlockResult */
        BlockResult: {
            visitor_id: string;
            /** @constant */
            blocked: true;
            report_id: string | null;
        };
        /** BlockedVisitorOut */
        BlockedVisitorOut: {
            id: string;
            name: string | null;
            email: string | null;
            blocked_at: string | null;
        };
        /** BlocksOverview */
        BlocksOverview: {
            blocked_visitors: components["schemas"]["BlockedVisitorOut"][];
            ip_blocks: components["schemas"]["IpBlockDetail"][];
            reports: components["schemas"]["ReportOut"][];
        };
        /**
         * BookingCard
         * @description What the visitor's booking card shows.
         */
        BookingCard: {
            offer_id: string;
            title: string;
            description: string;
            duration_minutes: number;
            location: string;
            owner_name: string;
            time_zone: string;
            days: components["schemas"]["DayOut"][];
            questions: components["schemas"]["Question"][];
            name: string | null;
            email: string | null;
            booked: components["schemas"]["MeetingOut"] | null;
            problem: string | null;
        };
        /** BootBlocked */
        BootBlocked: {
            /** @constant */
            blocked: true;
        };
        /** BootOpen */
        BootOpen: {
            org_name: string;
            idle_after_seconds: number;
            messenger: components["schemas"]["MessengerSettings"];
            /** @constant */
            blocked: false;
        };
        /** CalendarBody */
        CalendarBody: {
            /** @enum {string} */
            kind: "caldav" | "ical";
            url: string;
            /** @default null */
            username?: string | null;
            /** @default null */
            password?: string | null;
        };
        /** CalendarOut */
        CalendarOut: {
            rep_id: string;
            /** @enum {string} */
            kind: "caldav" | "ical";
            url: string;
            username: string | null;
            /** @enum {string} */
            status: "pending" | "ok" | "error";
            last_error: string | null;
            last_fetched_at: string | null;
            busy_count: number;
        };
        /** CalendarState */
        CalendarState: {
            calendar: components["schemas"]["CalendarOut"] | null;
        };
        /**
         * CallAnswerFrame
         * @description The visitor's SDP answer to the rep's offer.
         */
        CallAnswerFrame: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "call_answer";
            call_id: string;
            sdp: string;
        };
        /**
         * CallAnswerRelayed
         * @description The visitor's answer, to the rep.
         */
        CallAnswerRelayed: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "call_answer";
            call_id: string;
            sdp: string;
        };
        /**
         * CallCandidateFrame
         * @description One trickled ICE candidate for the other side.
         */
        CallCandidateFrame: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "call_candidate";
            call_id: string;
            candidate: components["schemas"]["IceCandidate"];
        };
        /**
         * CallCandidateRelayed
         * @description The other side's ICE candidate.
         */
        CallCandidateRelayed: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "call_candidate";
            call_id: string;
            candidate: components["schemas"]["IceCandidate"];
        };
        /**
         * CallChanged
         * @description The call's state changed (to both sides; a keepalive for an ended call gets it too).
         */
        CallChanged: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "call";
            call: components["schemas"]["CallOut"];
        };
        /**
         * CallConnectedFrame
         * @description Media flows on this side's peer connection: the call is active.
         */
        CallConnectedFrame: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "call_connected";
            call_id: string;
        };
        /**
         * CallDeclineFrame
         * @description The callee says no (the call ends as `declined`).
         */
        CallDeclineFrame: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "call_decline";
            call_id: string;
        };
        /**
         * CallHangupFrame
         * @description End the call (or cancel it while it rings). `failed`: this side could not connect the
         *     media, and says why (shown to the other side).
         */
        CallHangupFrame: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "call_hangup";
            call_id: string;
            /** @default null */
            failed?: string | null;
        };
        /**
         * CallIce
         * @description To the socket that started, joined or re-joined a call only: the ICE servers for it,
         *     TURN credentials minted for this call and valid until `expires_at`.
         */
        CallIce: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "call_ice";
            call_id: string;
            ice_servers: components["schemas"]["IceServer"][];
            /** @enum {string} */
            ice_transport_policy: "all" | "relay";
            expires_at: string | null;
        };
        /**
         * CallKeepaliveFrame
         * @description Sent every 5 s while a side holds a call: a side not heard of for the grace period
         *     (FRONTDESK_CALL_GRACE_SECONDS) has gone, and the call ends as `failed`. `media_connected`:
         *     media from the other side flows on this side's peer connection right now, so the other
         *     side is alive too, even while its own socket is away (its server process died and it is
         *     reconnecting: media never goes through the server).
         */
        CallKeepaliveFrame: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "call_keepalive";
            call_id: string;
            /** @default false */
            media_connected?: boolean;
        };
        /**
         * CallMediaFrame
         * @description What this side sends now: the other side shows it (muted, camera off, screen).
         */
        CallMediaFrame: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "call_media";
            call_id: string;
            mic: boolean;
            camera: boolean;
            /** @default false */
            screen?: boolean;
        };
        /**
         * CallMediaRelayed
         * @description The other side's microphone, camera and screen.
         */
        CallMediaRelayed: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "call_media";
            call_id: string;
            mic: boolean;
            camera: boolean;
            screen: boolean;
        };
        /**
         * CallOfferFrame
         * @description The rep's SDP offer (a new one after the visitor re-joins).
         */
        CallOfferFrame: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "call_offer";
            call_id: string;
            sdp: string;
        };
        /**
         * CallOfferRelayed
         * @description The rep's offer, to the visitor.
         */
        CallOfferRelayed: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "call_offer";
            call_id: string;
            sdp: string;
        };
        /**
         * CallOut
         * @description One call, as both of its sides (and the transcript, Visitor 360, webhooks) see it.
         */
        CallOut: {
            id: string;
            conversation_id: string;
            visitor_id: string;
            rep: components["schemas"]["RepBrief"] | null;
            /** @enum {string} */
            initiated_by: "rep" | "visitor";
            /** @enum {string} */
            media: "audio" | "video";
            visitor_media: ("audio" | "video") | null;
            /** @enum {string} */
            state: "requested" | "ringing" | "connecting" | "active" | "ended";
            end_reason: ("ended_by_rep" | "ended_by_visitor" | "declined" | "blocked" | "missed" | "failed") | null;
            end_detail: string | null;
            /** @constant */
            channel: "browser";
            /** @default false */
            queued: boolean;
            rep_leg: string | null;
            visitor_leg: string | null;
            /** Format: date-time */
            created_at: string;
            answered_at: string | null;
            connected_at: string | null;
            ended_at: string | null;
            duration_seconds: number | null;
        };
        /**
         * CallPickupFrame
         * @description The rep answers a queued call from this console tab (`leg`); the first answer wins,
         *     any later one is refused ("already answered").
         */
        CallPickupFrame: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "call_pickup";
            call_id: string;
            leg: string;
        };
        /**
         * CallQueueFrame
         * @description The messenger's "Call us" (the voice call queue, when the admin offers it to the
         *     visitor's segment): a voice call that rings the reps routed to the visitor until one
         *     answers (`call_pickup`) or the queue times out.
         */
        CallQueueFrame: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "call_queue";
            tab_id: string;
        };
        /**
         * CallRejoinFrame
         * @description After a page load the messenger joins its call again with a new peer connection; the rep's
         *     console then makes a new offer by itself.
         */
        CallRejoinFrame: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "call_rejoin";
            call_id: string;
            tab_id: string;
        };
        /**
         * CallRejoined
         * @description To the rep: the visitor's messenger joined again (a page load): make a new offer.
         */
        CallRejoined: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "call_rejoined";
            call_id: string;
        };
        /**
         * CallRequestFrame
         * @description The visitor asks the rep of their chat for a call (when the org allows it): the rep
         *     then allows audio and video, or audio only, or declines.
         */
        CallRequestFrame: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "call_request";
            /** @enum {string} */
            media: "audio" | "video";
            tab_id: string;
        };
        /**
         * CallRingingFrame
         * @description The messenger shows the incoming call.
         */
        CallRingingFrame: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "call_ringing";
            call_id: string;
        };
        /**
         * CallSettings
         * @description An org's call settings; only what an admin set (defaults: docs/calls.md).
         */
        CallSettings: {
            visitor_initiated: boolean;
            queue_segment_ids: string[];
            queue_timeout_seconds: number;
        };
        /**
         * CallSettingsPatch
         * @description Voice and video calls (docs/calls.md).
         */
        CallSettingsPatch: {
            /** @default null */
            visitor_initiated?: boolean | null;
            /** @default null */
            queue_segment_ids?: string[] | null;
            /** @default null */
            queue_timeout_seconds?: number | null;
        };
        /**
         * CallStartFrame
         * @description The rep calls the visitor of their chat; `leg` names this console tab.
         */
        CallStartFrame: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "call_start";
            conversation_id: string;
            /** @enum {string} */
            media: "audio" | "video";
            leg: string;
        };
        /**
         * Campaign
         * @description Visits that landed with these UTM parameters.
         */
        Campaign: {
            source: string | null;
            medium: string | null;
            campaign: string | null;
            term: string | null;
            content: string | null;
            visits: number;
            visitors: number;
            last_at: string | null;
        };
        /** CapacityBody */
        CapacityBody: {
            /** @default null */
            default_max_chats?: number | null;
            /**
             * @default queue
             * @enum {string}
             */
            overflow?: "queue" | "offline";
            /** @default 30 */
            queue_timeout_minutes?: number;
        };
        /** CapacityOut */
        CapacityOut: {
            default_max_chats: number | null;
            /** @enum {string} */
            overflow: "queue" | "offline";
            queue_timeout_minutes: number;
            queued: number;
            reps: components["schemas"]["RepLoad"][];
        };
        /** CardUtm */
        CardUtm: {
            source: string | null;
            medium: string | null;
            campaign: string | null;
        };
        /** ChatHandedOver */
        ChatHandedOver: {
            conversation_id: string;
            to_rep: components["schemas"]["RepBrief"];
        };
        /** ChatKept */
        ChatKept: {
            conversation_id: string;
            reason: string;
        };
        /** Classification */
        Classification: {
            qualified: boolean | null;
            tags: string[];
            deal_value: number | null;
            notes: string | null;
        };
        /** ClassificationBody */
        ClassificationBody: {
            /** @default null */
            qualified?: boolean | null;
            /** @default null */
            tags?: string[] | null;
            /** @default null */
            deal_value?: number | null;
            /** @default null */
            notes?: string | null;
        };
        /**
         * Classified
         * @description A conversation's classification: the company's classification history.
         */
        Classified: {
            conversation_id: string;
            visitor_id: string;
            at: string | null;
            rep_name: string | null;
            qualified: boolean | null;
            deal_value: number | null;
            tags: string[];
        };
        /** ClosestSource */
        ClosestSource: {
            source: components["schemas"]["SourceRef"];
            snippet: string;
            confidence: number;
        };
        /**
         * ColleagueOut
         * @description A rep as other reps see them: no email.
         */
        ColleagueOut: {
            id: string;
            name: string;
            /** @enum {string} */
            availability: "available" | "away";
            active: boolean;
            /** @enum {string} */
            role: "admin" | "lead" | "rep";
        };
        /** ConversationList */
        ConversationList: {
            conversations: components["schemas"]["ConversationSummary"][];
        };
        /**
         * ConversationMeta
         * @description A conversation's meta as read: frozen (change it with `edit_meta`).
         */
        ConversationMeta: {
            /** @default false */
            visitor_replied?: boolean;
            /** @default null */
            transfer?: components["schemas"]["Transfer"] | null;
            /** @default null */
            experience_id?: string | null;
            /** @default null */
            experience_name?: string | null;
            /** @default null */
            timeout_at?: string | null;
            /** @default null */
            rep_window_ends_at?: string | null;
            /** @default false */
            offline?: boolean;
            /** @default false */
            ask_identity?: boolean;
            /** @default false */
            bot_greeted?: boolean;
            /** @default null */
            away_until?: string | null;
            /** @default null */
            queue_position?: number | null;
            /** @default null */
            invitation_id?: string | null;
            /** @default false */
            auto_pounce?: boolean;
            /** @default null */
            text_source?: ("model" | "template") | null;
            /** @default null */
            model_rejected?: string | null;
            /** @default false */
            nudged?: boolean;
            /** @default null */
            awaiting_rep_since?: string | null;
            /** @default null */
            rep_timeout_at?: string | null;
            /** @default null */
            auto_pounce_resolution?: ("replied" | "missed" | "spam" | "no_response_needed") | null;
            /** @default null */
            csat?: components["schemas"]["Rating"] | null;
        };
        /** ConversationSummary */
        ConversationSummary: {
            id: string;
            visitor_id: string;
            /** @enum {string} */
            status: "incoming" | "active" | "ended" | "missed";
            /** @enum {string} */
            origin: "inbound" | "pounce" | "invitation" | "auto_pounce";
            owner_rep_id: string | null;
            owner_name: string | null;
            routed_rep_ids: string[];
            routing_reason: string | null;
            /** Format: date-time */
            created_at: string;
            accepted_at: string | null;
            ended_at: string | null;
            ended_reason: string | null;
            last_seq: number;
            last_message: components["schemas"]["MessageOut"] | null;
            visitor_name: string | null;
            company: string | null;
            meta: components["schemas"]["ConversationMeta"];
            classification: components["schemas"]["Classification"];
        };
        /**
         * ConversationUpdated
         * @description To consoles (batched): a conversation summary changed (status, owner, meta, classification).
         */
        ConversationUpdated: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "conversation.updated";
            conversation: components["schemas"]["ConversationSummary"];
            visibility: components["schemas"]["Visibility"];
        };
        /** CopilotAdmin */
        CopilotAdmin: {
            status: components["schemas"]["CopilotStatus"];
            items: components["schemas"]["KindCount"][];
            passages: number;
            passages_indexed: number;
            sources: components["schemas"]["WebSourceOut"][];
            usage: components["schemas"]["RepUsage"][];
        };
        /**
         * CopilotChanged
         * @description To every console of the org (batched): an admin turned the AI Copilot on or off; the
         *     composer shows or hides /suggest, /expand and /tune at once, without a reload.
         */
        CopilotChanged: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "copilot.changed";
            enabled: boolean;
        };
        /**
         * CopilotStatus
         * @description What a rep's console needs to know.
         */
        CopilotStatus: {
            enabled: boolean;
            /** @enum {string} */
            retrieval: "hybrid" | "bm25";
            embeddings: string;
            grammar: string;
            endpoint: boolean;
        };
        /**
         * DailyCounts
         * @description One rep's proactive work on one day (UTC).
         */
        DailyCounts: {
            date: string;
            rep_id: string | null;
            rep_name: string | null;
            pounce: number;
            invitation_sent: number;
            invitation_accepted: number;
            invitation_expired: number;
            auto_pounce: number;
            reply: number;
            missed_response: number;
        };
        /** DayCount */
        DayCount: {
            date: string;
            count: number;
        };
        /** DayFigures */
        DayFigures: {
            conversations_started: number;
            started_inbound: number;
            started_pounce: number;
            started_invitation: number;
            started_auto_pounce: number;
            conversations_answered: number;
            missed: number;
            inbound_timeouts: number;
            queue_timeouts: number;
            missed_responses: number;
            first_response_median_seconds: number | null;
            first_response_p90_seconds: number | null;
            average_length_seconds: number | null;
            pounces_sent: number;
            pounce_replies: number;
            pounce_reply_rate: number | null;
            invitations_sent: number;
            invitation_replies: number;
            invitation_reply_rate: number | null;
            auto_pounces_sent: number;
            auto_pounce_replies: number;
            auto_pounce_reply_rate: number | null;
            qualified: number;
            deal_value: number;
            calls: number;
            calls_connected: number;
            call_average_seconds: number | null;
            calls_ended_by_rep: number;
            calls_ended_by_visitor: number;
            calls_declined: number;
            calls_missed: number;
            calls_failed: number;
            meetings_booked: number;
            meetings_cancelled: number;
            csat_ratings: number;
            csat_satisfied: number;
            csat_rate: number | null;
            date: string;
        };
        /** DayOut */
        DayOut: {
            date: string;
            label: string;
            slots: components["schemas"]["SlotOut"][];
        };
        /** DeliveryList */
        DeliveryList: {
            deliveries: components["schemas"]["DeliveryOut"][];
        };
        /** DeliveryOut */
        DeliveryOut: {
            id: string;
            event_id: string;
            event_type: string;
            status: string;
            attempts: number;
            last_status: number | null;
            last_error: string | null;
            next_attempt_at: string | null;
            /** Format: date-time */
            created_at: string;
            delivered_at: string | null;
        };
        /** DiffPart */
        DiffPart: {
            /** @enum {string} */
            op: "equal" | "insert" | "delete";
            text: string;
        };
        /**
         * DraftFrame
         * @description Sneak peek (only when `welcome.config.messenger.sneak_peek`): what the visitor has typed
         *     so far in their open chat, not sent yet ("" once cleared or sent). Relayed to the consoles
         *     that may see the chat as `typing` with `draft`, never stored; at most one a second.
         */
        DraftFrame: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "draft";
            text: string;
        };
        /** EmailPreferences */
        EmailPreferences: {
            missed_chat_emails: boolean;
            daily_summary_email: boolean;
        };
        /** EmailPreferencesBody */
        EmailPreferencesBody: {
            /** @default null */
            missed_chat_emails?: boolean | null;
            /** @default null */
            daily_summary_email?: boolean | null;
        };
        /**
         * EnrichmentSource
         * @description One enriched fact with where it came from and how sure we are.
         */
        EnrichmentSource: {
            field: string;
            value: unknown;
            /** @default null */
            source: string | null;
            /** @default null */
            confidence: string | null;
        };
        /**
         * ErrorBody
         * @description Every 4xx and 5xx answer of the API.
         */
        ErrorBody: {
            error: components["schemas"]["ErrorDetail"];
        };
        /** ErrorDetail */
        ErrorDetail: {
            code: string;
            message: string;
            /** @default null */
            details?: unknown;
            /** @default null */
            request_id?: string | null;
        };
        /**
         * ErrorFrame
         * @description A client frame was refused (docs/protocol.md lists the codes). The socket stays open,
         *     except after a bad `hello`.
         */
        ErrorFrame: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "error";
            code: string;
            message: string;
            /** @default null */
            ref?: string | null;
            /** @default null */
            frame_type?: string | null;
        };
        /** ExpandBody */
        ExpandBody: {
            notes: string;
            /**
             * @default friendly
             * @enum {string}
             */
            tone?: "professional" | "casual" | "friendly";
            /** @default null */
            conversation_id?: string | null;
        };
        /** ExperienceBody */
        ExperienceBody: {
            /** @default null */
            name?: string | null;
            /** @default null */
            rep_window_seconds?: number | null;
            /** @default null */
            bot_greeting?: string | null;
            /** @default null */
            ask_identity?: boolean | null;
            /** @default null */
            identity_prompt?: string | null;
            /** @default null */
            handoff_message?: string | null;
            /** @default null */
            timeout_seconds?: number | null;
            /** @default null */
            timeout_message?: string | null;
            /** @default null */
            offline_message?: string | null;
            /** @default null */
            booker_meeting_type_id?: string | null;
        };
        /** ExperienceList */
        ExperienceList: {
            experiences: components["schemas"]["ExperienceOut"][];
        };
        /** ExperienceOut */
        ExperienceOut: {
            id: string;
            is_default: boolean;
            name: string;
            rep_window_seconds: number;
            bot_greeting: string;
            ask_identity: boolean;
            identity_prompt: string;
            handoff_message: string;
            timeout_seconds: number;
            timeout_message: string;
            offline_message: string;
            booker_meeting_type_id: string | null;
        };
        /**
         * Figures
         * @description The figures of one day, one rep, or the whole range.
         */
        Figures: {
            conversations_started: number;
            started_inbound: number;
            started_pounce: number;
            started_invitation: number;
            started_auto_pounce: number;
            conversations_answered: number;
            missed: number;
            inbound_timeouts: number;
            queue_timeouts: number;
            missed_responses: number;
            first_response_median_seconds: number | null;
            first_response_p90_seconds: number | null;
            average_length_seconds: number | null;
            pounces_sent: number;
            pounce_replies: number;
            pounce_reply_rate: number | null;
            invitations_sent: number;
            invitation_replies: number;
            invitation_reply_rate: number | null;
            auto_pounces_sent: number;
            auto_pounce_replies: number;
            auto_pounce_reply_rate: number | null;
            qualified: number;
            deal_value: number;
            calls: number;
            calls_connected: number;
            call_average_seconds: number | null;
            calls_ended_by_rep: number;
            calls_ended_by_visitor: number;
            calls_declined: number;
            calls_missed: number;
            calls_failed: number;
            meetings_booked: number;
            meetings_cancelled: number;
            csat_ratings: number;
            csat_satisfied: number;
            csat_rate: number | null;
        };
        /**
         * FileLink
         * @description Short-lived signed URLs for one file (relative to the Frontdesk server).
         */
        FileLink: {
            id: string;
            url: string;
            thumbnail_url: string | null;
            expires: number;
        };
        /** FileLinks */
        FileLinks: {
            links: components["schemas"]["FileLink"][];
        };
        /**
         * FileSettings
         * @description An org's rules for files in chat (Admin -> Files).
         */
        "FileSettings-Input": {
            /** @default true */
            enabled?: boolean;
            /** @default true */
            visitors_may_send?: boolean;
            /** @default 10 */
            max_mb?: number;
            extensions?: string[];
        };
        /**
         * FileSettings
         * @description An org's rules for files in chat (Admin -> Files).
         */
        "FileSettings-Output": {
            /** @default true */
            enabled: boolean;
            /** @default true */
            visitors_may_send: boolean;
            /** @default 10 */
            max_mb: number;
            extensions: string[];
        };
        /** FileSettingsOut */
        FileSettingsOut: {
            settings: components["schemas"]["FileSettings-Output"];
            server_max_mb: number;
        };
        /**
         * FilledShortcut
         * @description A shortcut's text with its variables filled for one visitor, and its preview HTML.
         */
        FilledShortcut: {
            text: string;
            html: string;
            shortcut: components["schemas"]["ShortcutOut"];
        };
        /** Health */
        Health: {
            /** @constant */
            status: "ok";
        };
        /**
         * HolidayFeedBody
         * @description An iCal holiday feed: a URL read now, or the file's text. Each event's days become
         *     holidays (replacing those imported before).
         */
        HolidayFeedBody: {
            /** @default null */
            url?: string | null;
            /** @default null */
            ics?: string | null;
        };
        /** HolidayIn */
        HolidayIn: {
            day: string;
            /** @default  */
            name?: string;
        };
        /** HolidayOut */
        HolidayOut: {
            day: string;
            name: string;
            /** @enum {string} */
            source: "manual" | "ical";
        };
        /**
         * HoursBody
         * @description Business hours for the org or one team (replaces what was set, manual holidays too;
         *     holidays imported from a feed stay).
         */
        HoursBody: {
            time_zone: string;
            weekly: {
                [key: string]: string[][];
            };
            /**
             * @default offline_form
             * @enum {string}
             */
            away_mode?: "offline_form" | "booker";
            /** @default null */
            booker_meeting_type_id?: string | null;
            /** @default null */
            away_message?: string | null;
            holidays?: components["schemas"]["HolidayIn"][];
        };
        /** HoursList */
        HoursList: {
            hours: components["schemas"]["HoursOut"][];
        };
        /** HoursOut */
        HoursOut: {
            scope: string;
            team_id: string | null;
            team_name: string | null;
            time_zone: string;
            weekly: {
                [key: string]: string[][];
            };
            /** @enum {string} */
            away_mode: "offline_form" | "booker";
            booker_meeting_type_id: string | null;
            away_message: string;
            holiday_feed_url: string | null;
            holidays: components["schemas"]["HolidayOut"][];
            open_now: boolean;
            reopens_at: string | null;
            closes_at: string | null;
        };
        /**
         * HoursStatus
         * @description Who is inside business hours now (the live stream's banner).
         */
        HoursStatus: {
            scopes: components["schemas"]["ScopeStatus"][];
            /** Format: date-time */
            server_time: string;
        };
        /**
         * IceCandidate
         * @description RTCIceCandidateInit, as the browser gives it.
         */
        IceCandidate: {
            candidate: string;
            /** @default null */
            sdpMid?: string | null;
            /** @default null */
            sdpMLineIndex?: number | null;
            /** @default null */
            usernameFragment?: string | null;
        };
        /**
         * IceServer
         * @description One entry of RTCConfiguration.iceServers. TURN entries carry a credential minted for
         *     this call that expires (coturn's use-auth-secret scheme); STUN entries carry none.
         */
        IceServer: {
            urls: string[];
            /** @default null */
            username: string | null;
            /** @default null */
            credential: string | null;
        };
        /**
         * IceSettingsOut
         * @description The server's ICE settings as admins see them (set by the operator: FRONTDESK_STUN_URLS,
         *     FRONTDESK_TURN_URLS, FRONTDESK_TURN_SECRET; never the secret itself).
         */
        IceSettingsOut: {
            stun_urls: string[];
            turn_urls: string[];
            turn_secret_set: boolean;
            turn_credential_ttl: number;
            /** @enum {string} */
            ice_transport_policy: "all" | "relay";
        };
        /**
         * Identified
         * @description The answer to `identify`.
         */
        Identified: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "identified";
            /** @enum {string} */
            identity_status: "anonymous" | "unverified" | "verified";
        };
        /**
         * IdentifyFrame
         * @description identify(): the visitor's email (and name), with the site's HMAC to verify it.
         */
        IdentifyFrame: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "identify";
            email: string;
            /** @default null */
            name?: string | null;
            /** @default null */
            hash?: string | null;
        };
        /** IdentitySecretOut */
        IdentitySecretOut: {
            identity_secret: string;
        };
        /** ImportBody */
        ImportBody: {
            /** @enum {string} */
            format: "csv" | "markdown";
            text: string;
        };
        /** ImportResult */
        ImportResult: {
            created: number;
            articles: number;
            qa_pairs: number;
        };
        /** InvitationBody */
        InvitationBody: {
            message: string;
            /** @default null */
            team_id?: string | null;
        };
        /**
         * InvitationExpired
         * @description To the visitor's tabs: take the invitation off the screen.
         */
        InvitationExpired: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "invitation_expired";
            invitation_id: string;
        };
        /** InvitationList */
        InvitationList: {
            invitations: components["schemas"]["InvitationOut"][];
        };
        /**
         * InvitationOut
         * @description An invitation as reps see it (the API, `invitation.updated` events).
         */
        InvitationOut: {
            id: string;
            visitor_id: string;
            rep_id: string;
            /** @enum {string} */
            status: "pending" | "shown" | "accepted" | "expired";
            message: string;
            /** Format: date-time */
            created_at: string;
            shown_at: string | null;
            conversation_id: string | null;
        };
        /**
         * InvitationPreview
         * @description An invitation's text with its #variables# filled for one visitor.
         */
        InvitationPreview: {
            message: string;
            html: string;
            variables: {
                [key: string]: string | null;
            };
            unknown: string[];
        };
        /**
         * InvitationSent
         * @description To the visitor's tabs: show this invitation (answer `invitation_shown` once on screen).
         */
        InvitationSent: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "invitation";
            invitation: components["schemas"]["VisitorInvitation"];
        };
        /**
         * InvitationShown
         * @description The widget put an invitation on screen: its 2-minute expiry starts now.
         */
        InvitationShown: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "invitation_shown";
            invitation_id: string;
        };
        /**
         * InvitationUpdated
         * @description To consoles (batched): one of my invitations changed (pending, shown, accepted, expired).
         */
        InvitationUpdated: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "invitation.updated";
            invitation: components["schemas"]["InvitationOut"];
            visibility: components["schemas"]["Visibility"];
        };
        /** InvitingRep */
        InvitingRep: {
            id: string;
            name: string;
        };
        /** IpBlockBody */
        IpBlockBody: {
            cidr: string;
            /** @default null */
            expires_at?: string | null;
            /** @default null */
            reason?: string | null;
        };
        /** IpBlockDetail */
        IpBlockDetail: {
            id: string;
            cidr: string;
            reason: string | null;
            /** Format: date-time */
            created_at: string;
            expires_at: string | null;
            active: boolean;
        };
        /** IpBlockOut */
        IpBlockOut: {
            id: string;
            cidr: string;
            expires_at: string | null;
        };
        /** IpRangeBody */
        IpRangeBody: {
            cidr: string;
            company: string;
            /** @default null */
            account_id?: string | null;
        };
        /** IpRangeList */
        IpRangeList: {
            ip_ranges: components["schemas"]["IpRangeOut"][];
        };
        /** IpRangeOut */
        IpRangeOut: {
            id: string;
            cidr: string;
            company: string;
            account_id: string | null;
        };
        /** ItemBody */
        ItemBody: {
            /** @enum {string} */
            kind: "article" | "qa";
            /** @default  */
            title?: string;
            /** @default null */
            question?: string | null;
            body: string;
        };
        /** ItemPatch */
        ItemPatch: {
            /** @default null */
            title?: string | null;
            /** @default null */
            question?: string | null;
            /** @default null */
            body?: string | null;
        };
        /** KindCount */
        KindCount: {
            /** @enum {string} */
            kind: "article" | "qa" | "page" | "shortcut" | "past_answer";
            items: number;
        };
        /** KnowledgeItemOut */
        KnowledgeItemOut: {
            id: string;
            /** @enum {string} */
            kind: "article" | "qa" | "page" | "shortcut" | "past_answer";
            title: string;
            question: string | null;
            body: string;
            url: string | null;
            /** Format: date-time */
            updated_at: string;
            passages: number;
            indexed: number;
        };
        /** KnowledgeList */
        KnowledgeList: {
            items: components["schemas"]["KnowledgeItemOut"][];
            total: number;
        };
        /**
         * LiveSegmentOut
         * @description A segment with how many live visitors it holds now (that the reader may see).
         */
        LiveSegmentOut: {
            id: string;
            name: string;
            color: string | null;
            cold: boolean;
            position: number;
            rules: {
                [key: string]: unknown;
            };
            routing: {
                [key: string]: unknown;
            };
            experience_id: string | null;
            catch_all: boolean;
            live_count: number;
        };
        /** LoginBody */
        LoginBody: {
            email: string;
            password: string;
            /** @default null */
            org_id?: string | null;
        };
        /** MeOut */
        MeOut: {
            rep: components["schemas"]["RepOut"];
            org: components["schemas"]["OrgOut"];
            csrf_token: string;
        };
        /** MeetingList */
        MeetingList: {
            meetings: components["schemas"]["MeetingOut"][];
        };
        /** MeetingOut */
        MeetingOut: {
            id: string;
            title: string;
            meeting_type_id: string | null;
            conversation_id: string | null;
            visitor_id: string | null;
            owner_rep_id: string | null;
            owner_name: string | null;
            attendee_rep_ids: string[];
            /** Format: date-time */
            start: string;
            /** Format: date-time */
            end: string;
            location: string;
            visitor_name: string;
            visitor_email: string;
            visitor_time_zone: string;
            /** @enum {string} */
            status: "booked" | "cancelled";
            answers: components["schemas"]["Answer"][];
        };
        /** MeetingTypeBody */
        MeetingTypeBody: {
            name: string;
            /** @default  */
            description?: string;
            duration_minutes: number;
            /** @default  */
            location?: string;
            /** @default 0 */
            buffer_before_minutes?: number;
            /** @default 0 */
            buffer_after_minutes?: number;
            /** @default 240 */
            min_notice_minutes?: number;
            /** @default 30 */
            horizon_days?: number;
            questions?: components["schemas"]["QuestionBody"][];
            member_rep_ids: string[];
            /**
             * @default round_robin
             * @enum {string}
             */
            routing?: "round_robin" | "account_owner" | "everyone";
            /** @default true */
            active?: boolean;
        };
        /** MeetingTypeList */
        MeetingTypeList: {
            meeting_types: components["schemas"]["MeetingTypeOut"][];
        };
        /** MeetingTypeOut */
        MeetingTypeOut: {
            id: string;
            name: string;
            description: string;
            duration_minutes: number;
            location: string;
            buffer_before_minutes: number;
            buffer_after_minutes: number;
            min_notice_minutes: number;
            horizon_days: number;
            questions: components["schemas"]["Question"][];
            member_rep_ids: string[];
            /** @enum {string} */
            routing: "round_robin" | "account_owner" | "everyone";
            active: boolean;
        };
        /**
         * MemberStatus
         * @description Whether a member can be booked now, and why not (shown to admins).
         */
        MemberStatus: {
            rep_id: string;
            name: string;
            bookable: boolean;
            problem: string | null;
            /** @enum {string} */
            calendar: "none" | "caldav" | "ical";
            /** @enum {string} */
            calendar_status: "none" | "pending" | "ok" | "error";
            calendar_fetched_at: string | null;
        };
        /** MemberStatusList */
        MemberStatusList: {
            members: components["schemas"]["MemberStatus"][];
        };
        /** MessageBody */
        MessageBody: {
            client_id: string;
            body: string;
        };
        /**
         * MessageFile
         * @description A file as its message carries it (`meta.file`); its bytes are fetched through a signed
         *     link (`FileLink`).
         */
        MessageFile: {
            id: string;
            name: string;
            size: number;
            /** @enum {string} */
            kind: "image" | "file";
            content_type: string;
            /** @default null */
            width: number | null;
            /** @default null */
            height: number | null;
        };
        /** MessageOut */
        MessageOut: {
            id: string;
            conversation_id: string;
            seq: number;
            /** @enum {string} */
            author_kind: "visitor" | "rep" | "bot" | "system";
            author_name: string;
            author_rep_id: string | null;
            body: string;
            html: string;
            client_id: string | null;
            /** Format: date-time */
            created_at: string;
            internal: boolean;
            meta: {
                [key: string]: unknown;
            };
        };
        /**
         * Messages
         * @description The answer to `resume`: the messages after the seq asked for.
         */
        Messages: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "messages";
            conversation_id: string | null;
            messages: components["schemas"]["MessageOut"][];
        };
        /**
         * MessengerSettings
         * @description What every visitor's messenger looks like and asks; only the settings an admin set.
         */
        MessengerSettings: {
            color: string;
            greeting: string;
            ask_identity: boolean;
            /** @enum {string} */
            language: "auto" | "en" | "de" | "fr" | "es" | "pt" | "ja" | "ar";
            /** @enum {string} */
            csat: "off" | "faces" | "stars";
            sneak_peek: boolean;
            bot_answers: boolean;
            texts: {
                [key: string]: {
                    [key: string]: string;
                };
            };
        };
        /**
         * MessengerSettingsPatch
         * @description What every visitor's messenger looks like and asks (sent in `welcome.config.messenger`).
         */
        MessengerSettingsPatch: {
            /** @default null */
            color?: string | null;
            /** @default null */
            greeting?: string | null;
            /** @default null */
            ask_identity?: boolean | null;
            /** @default null */
            language?: ("auto" | "en" | "de" | "fr" | "es" | "pt" | "ja" | "ar") | null;
            /** @default null */
            csat?: ("off" | "faces" | "stars") | null;
            /** @default null */
            sneak_peek?: boolean | null;
            /** @default null */
            bot_answers?: boolean | null;
            /** @default null */
            texts?: {
                [key: string]: {
                    [key: string]: string;
                };
            } | null;
        };
        /**
         * NewApiToken
         * @description The answer to making a token: the only time the token itself is shown.
         */
        NewApiToken: {
            id: string;
            name: string;
            scopes: ("read" | "write" | "admin")[];
            prefix: string;
            created_by: string;
            /** Format: date-time */
            created_at: string;
            last_used_at: string | null;
            revoked_at: string | null;
            token: string;
        };
        /** NewRepBody */
        NewRepBody: {
            email: string;
            name: string;
            /**
             * @description rep, lead (team lead) or admin
             * @default rep
             * @enum {string}
             */
            role?: "admin" | "lead" | "rep";
            password: string;
        };
        /**
         * NewWebhookEndpoint
         * @description The answer to creating an endpoint: the only time its signing secret is shown.
         */
        NewWebhookEndpoint: {
            id: string;
            url: string;
            description: string | null;
            enabled: boolean;
            disabled_reason: string | null;
            /** Format: date-time */
            created_at: string;
            secret: string;
        };
        /**
         * NextOwner
         * @description Who a meeting type's routing would pick now (a round robin's next in line).
         */
        NextOwner: {
            meeting_type_id: string;
            rep_id: string | null;
            name: string | null;
            reason: string;
        };
        /** OfferBody */
        OfferBody: {
            meeting_type_id: string;
            conversation_id: string;
            /**
             * @default type_routing
             * @enum {string}
             */
            choice?: "type_routing" | "choose";
            /** @default null */
            owner_rep_id?: string | null;
            /** @default false */
            with_everyone?: boolean;
            /** @default null */
            title?: string | null;
        };
        /** OfferOut */
        OfferOut: {
            id: string;
            meeting_type_id: string;
            conversation_id: string | null;
            owner_rep_id: string;
            attendee_rep_ids: string[];
            title: string;
            routing_note: string;
        };
        /**
         * OfflineMessageFrame
         * @description The offline form: left when nobody was available; emailed to the routed reps.
         */
        OfflineMessageFrame: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "offline_message";
            /** @default null */
            client_id?: string | null;
            /** @default null */
            name?: string | null;
            /** @default null */
            email?: string | null;
            body: string;
        };
        /** OfflineMessageList */
        OfflineMessageList: {
            offline_messages: components["schemas"]["OfflineMessageOut"][];
        };
        /** OfflineMessageOut */
        OfflineMessageOut: {
            id: string;
            visitor_id: string | null;
            conversation_id: string | null;
            name: string | null;
            email: string | null;
            body: string;
            /** Format: date-time */
            created_at: string;
            emailed_at: string | null;
            email_error: string | null;
            /** @enum {string} */
            email_status: "emailed" | "sending" | "no_mail_server" | "failed";
            email_note: string;
            email_admin_hint: string | null;
        };
        /**
         * OfflineReceived
         * @description The offline form is stored (and will be emailed to the routed reps).
         */
        OfflineReceived: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "offline_received";
            client_id: string | null;
        };
        /**
         * Ok
         * @description The answer of an operation that has nothing else to say.
         */
        Ok: {
            /** @default true */
            ok: boolean;
        };
        /**
         * OpenFrame
         * @description The visitor opened the messenger.
         */
        OpenFrame: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "open";
        };
        /** OrderBody */
        OrderBody: {
            segment_ids: string[];
        };
        /** OrgEmailSettings */
        OrgEmailSettings: {
            team_address: string | null;
            email_reps: boolean;
            time_zone: string;
        };
        /** OrgEmailSettingsBody */
        OrgEmailSettingsBody: {
            /** @default null */
            team_address?: string | null;
            /** @default true */
            email_reps?: boolean;
            /** @default UTC */
            time_zone?: string;
        };
        /** OrgOut */
        OrgOut: {
            id: string;
            name: string;
            site_key: string;
            allowed_origins: string[];
            idle_after_seconds: number;
            proactive: components["schemas"]["ProactiveSettings"];
            messenger: components["schemas"]["MessengerSettings"];
            calls: components["schemas"]["CallSettings"];
            privacy: components["schemas"]["PrivacySettingsOut"];
        };
        /** OrgSettingsBody */
        OrgSettingsBody: {
            proactive?: {
                [key: string]: unknown;
            };
            /** @default null */
            messenger?: components["schemas"]["MessengerSettingsPatch"] | null;
            /** @default null */
            calls?: components["schemas"]["CallSettingsPatch"] | null;
            /** @default null */
            idle_after_seconds?: number | null;
            /** @default null */
            privacy?: components["schemas"]["PrivacySettingsPatch"] | null;
        };
        /** OriginsBody */
        OriginsBody: {
            allowed_origins: string[];
        };
        /**
         * OtherChatsTransferred
         * @description The answer to "Transfer my other chats" during a call: where each chat went, and the
         *     ones that stayed with the rep.
         */
        OtherChatsTransferred: {
            transferred: components["schemas"]["ChatHandedOver"][];
            kept: components["schemas"]["ChatKept"][];
        };
        /** Page */
        Page: {
            url: string;
            /** @default  */
            title?: string;
            /** @default null */
            referrer?: string | null;
            /** @default null */
            og_image?: string | null;
        };
        /** PageCount */
        PageCount: {
            url: string;
            title: string | null;
            views: number;
        };
        /**
         * PageViewFrame
         * @description The visitor moved to another page (single-page-app navigation too).
         */
        PageViewFrame: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "page_view";
            page: components["schemas"]["Page"];
        };
        /** PageViewOut */
        PageViewOut: {
            url: string;
            title: string | null;
            referrer: string | null;
            viewed_at: string | null;
        };
        /** PasswordBody */
        PasswordBody: {
            current_password: string;
            new_password: string;
        };
        /**
         * PhoneHangUpFrame
         * @description End the call to the visitor's phone (answered with `phone_leg`, status ended).
         */
        PhoneHangUpFrame: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "phone_hang_up";
            leg_id: string;
        };
        /**
         * PhoneJoinFrame
         * @description Join by phone: ring this number (international form, "+44 20 7946 0958") for the
         *     visitor's open chat, instead of using the microphone. Offered only when
         *     `welcome.config.phone_join_available`; answered with `phone_leg` (same client_id) or an
         *     `error` saying why not (docs/telephony.md).
         */
        PhoneJoinFrame: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "phone_join";
            client_id: string;
            number: string;
            /** @default null */
            call_id?: string | null;
        };
        /**
         * PhoneLegChanged
         * @description To the visitor's tabs: a call to their phone was placed, rings, was answered or ended
         *     (`phone_join` asked for it; also the answer to it).
         */
        PhoneLegChanged: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "phone_leg";
            client_id: string | null;
            leg: components["schemas"]["VisitorPhoneLeg"];
        };
        /** PhoneLegList */
        PhoneLegList: {
            phone_legs: components["schemas"]["PhoneLegOut"][];
        };
        /**
         * PhoneLegOut
         * @description A call to a visitor's phone, as reps see it.
         */
        PhoneLegOut: {
            id: string;
            conversation_id: string;
            visitor_id: string;
            call_id: string | null;
            number: string;
            /** @enum {string} */
            status: "requested" | "queued" | "ringing" | "in_progress" | "completed" | "busy" | "no_answer" | "failed" | "canceled";
            end_reason: string | null;
            duration_seconds: number | null;
            /** Format: date-time */
            created_at: string;
            ringing_at: string | null;
            answered_at: string | null;
            ended_at: string | null;
        };
        /**
         * PhoneLegUpdated
         * @description To consoles that see the conversation (batched): a phone leg changed.
         */
        PhoneLegUpdated: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "phone_leg.updated";
            leg: components["schemas"]["PhoneLegOut"];
            visibility: components["schemas"]["Visibility"];
        };
        /**
         * PhoneSettingsBody
         * @description Fields left out stay as they are. `auth_token`: a new token, or "" to forget it; the
         *     stored one is never sent back.
         */
        PhoneSettingsBody: {
            /** @default null */
            provider?: ("none" | "twilio") | null;
            /** @default null */
            account_sid?: string | null;
            /** @default null */
            auth_token?: string | null;
            /** @default null */
            api_key_sid?: string | null;
            /** @default null */
            api_key_secret?: string | null;
            /** @default null */
            caller_number?: string | null;
            /** @default null */
            connect_number?: string | null;
            /** @default null */
            greeting?: string | null;
            /** @default null */
            allowed_regions?: string[] | null;
            /** @default null */
            visitor_limit?: string | null;
            /** @default null */
            org_limit?: string | null;
        };
        /**
         * PhoneSettingsOut
         * @description An org's phone settings as admins see them: the auth token never leaves the server.
         */
        PhoneSettingsOut: {
            /** @enum {string} */
            provider: "none" | "twilio";
            account_sid: string | null;
            auth_token_set: boolean;
            auth_token_hint: string | null;
            api_key_sid: string | null;
            api_key_secret_set: boolean;
            api_key_secret_hint: string | null;
            browser_bridge: boolean;
            caller_number: string | null;
            connect_number: string | null;
            greeting: string;
            allowed_regions: string[];
            visitor_limit: string;
            org_limit: string;
            ip_limit: string;
            phone_join_available: boolean;
            unavailable_reason: string | null;
            callback_url: string | null;
        };
        /** PhoneSettingsPage */
        PhoneSettingsPage: {
            settings: components["schemas"]["PhoneSettingsOut"];
            regions: components["schemas"]["RegionOut"][];
        };
        /**
         * Ping
         * @description Heartbeat (both sockets); answered with `pong`.
         */
        Ping: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "ping";
        };
        /**
         * Pong
         * @description The answer to `ping`.
         */
        Pong: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "pong";
            /** Format: date-time */
            server_time: string;
        };
        /** PostedMessage */
        PostedMessage: {
            message: components["schemas"]["MessageOut"];
            duplicate: boolean;
        };
        /** Preview */
        Preview: {
            html: string;
        };
        /** PreviewBody */
        PreviewBody: {
            body: string;
        };
        /** PreviewInvitationBody */
        PreviewInvitationBody: {
            message: string;
        };
        /** PrivacySettingsOut */
        PrivacySettingsOut: {
            retention: components["schemas"]["RetentionSettings-Output"];
            /** @enum {string} */
            ip_addresses: "full" | "truncated" | "none";
            honour_gpc: boolean;
        };
        /**
         * PrivacySettingsPatch
         * @description Only the fields given change; `retention`, when given, replaces the whole policy
         *     (a field left out or null keeps that data until it is erased).
         */
        PrivacySettingsPatch: {
            /** @default null */
            retention?: components["schemas"]["RetentionSettings-Input"] | null;
            /** @default null */
            ip_addresses?: ("full" | "truncated" | "none") | null;
            /** @default null */
            honour_gpc?: boolean | null;
        };
        /** ProactiveReport */
        ProactiveReport: {
            rows: components["schemas"]["DailyCounts"][];
        };
        /** ProactiveSettings */
        ProactiveSettings: {
            auto_pounce: boolean;
            auto_pounce_after_seconds: number;
            nudge_after_seconds: number;
            rep_timeout_seconds: number;
            repeat_interval_seconds: number;
            allowed_link_domains: string[];
        };
        /** Question */
        Question: {
            id: string;
            label: string;
            required: boolean;
        };
        /** QuestionBody */
        QuestionBody: {
            label: string;
            /** @default false */
            required?: boolean;
        };
        /**
         * RateFrame
         * @description The visitor rates their chat after it ended (when `welcome.config.messenger.csat` is
         *     "faces": 1 bad, 2 neutral, 3 good; "stars": 1-5), with an optional comment. One rating per
         *     chat, final; answered with `conversation` (its `rating` set) on every tab of the visitor,
         *     or an `error` (ref: client_id) saying why not (docs/widget.md, "Rating a chat").
         */
        RateFrame: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "rate";
            /** @default null */
            client_id?: string | null;
            conversation_id: string;
            score: number;
            /** @default null */
            comment?: string | null;
        };
        /**
         * Rating
         * @description The visitor's rating of the chat after it ended (features/csat): `score` of `scale`
         *     (3: bad, neutral, good; 5: one to five stars), an optional comment. One per chat.
         */
        Rating: {
            score: number;
            /** @enum {integer} */
            scale: 3 | 5;
            comment: string | null;
            at: string;
        };
        /** Readiness */
        Readiness: {
            /** @enum {string} */
            status: "ok" | "unavailable";
            checks: {
                [key: string]: string;
            };
        };
        /** RegionOut */
        RegionOut: {
            code: string;
            name: string;
            calling_code: number;
        };
        /** RepBrief */
        RepBrief: {
            id: string;
            name: string;
            /** @default null */
            avatar_url: string | null;
        };
        /**
         * RepCallAccept
         * @description The rep allows the visitor's call: audio and video, or audio only.
         */
        RepCallAccept: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "call_accept";
            call_id: string;
            /** @enum {string} */
            allow: "audio" | "video";
            leg: string;
        };
        /**
         * RepCallRejoin
         * @description After a page load the console joins its call again from this tab (`leg`: the same tab's
         *     leg, kept in the tab's session storage), then makes a new offer. `move`: the rep chose
         *     "Move the call here" in another tab; without it a tab that does not hold the call is
         *     refused, so a second tab never takes a call by itself.
         */
        RepCallRejoin: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "call_rejoin";
            call_id: string;
            leg: string;
            /** @default false */
            move?: boolean;
        };
        /**
         * RepChanged
         * @description A rep's availability, toggles, role or activation changed (in every console's batch).
         */
        RepChanged: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "rep.changed";
            rep_id: string;
            /** @enum {string} */
            availability: "available" | "away";
            auto_pounce_enabled: boolean;
            auto_pounce_off_reason: string | null;
            voice_video_enabled: boolean;
            /** @enum {string} */
            role: "admin" | "lead" | "rep";
            active: boolean;
        };
        /**
         * RepClientFrame
         * @description Any frame the console sends on /ws/rep (the first one is `hello`).
         */
        RepClientFrame: components["schemas"]["Ping"] | components["schemas"]["RepMessageFrame"] | components["schemas"]["RepTyping"] | components["schemas"]["RepResume"] | components["schemas"]["RepHello"] | components["schemas"]["CallStartFrame"] | components["schemas"]["RepCallAccept"] | components["schemas"]["CallPickupFrame"] | components["schemas"]["CallDeclineFrame"] | components["schemas"]["RepCallRejoin"] | components["schemas"]["CallOfferFrame"] | components["schemas"]["CallCandidateFrame"] | components["schemas"]["CallMediaFrame"] | components["schemas"]["CallConnectedFrame"] | components["schemas"]["CallKeepaliveFrame"] | components["schemas"]["CallHangupFrame"];
        /** RepFigures */
        RepFigures: {
            conversations_started: number;
            started_inbound: number;
            started_pounce: number;
            started_invitation: number;
            started_auto_pounce: number;
            conversations_answered: number;
            missed: number;
            inbound_timeouts: number;
            queue_timeouts: number;
            missed_responses: number;
            first_response_median_seconds: number | null;
            first_response_p90_seconds: number | null;
            average_length_seconds: number | null;
            pounces_sent: number;
            pounce_replies: number;
            pounce_reply_rate: number | null;
            invitations_sent: number;
            invitation_replies: number;
            invitation_reply_rate: number | null;
            auto_pounces_sent: number;
            auto_pounce_replies: number;
            auto_pounce_reply_rate: number | null;
            qualified: number;
            deal_value: number;
            calls: number;
            calls_connected: number;
            call_average_seconds: number | null;
            calls_ended_by_rep: number;
            calls_ended_by_visitor: number;
            calls_declined: number;
            calls_missed: number;
            calls_failed: number;
            meetings_booked: number;
            meetings_cancelled: number;
            csat_ratings: number;
            csat_satisfied: number;
            csat_rate: number | null;
            rep_id: string;
            rep_name: string;
        };
        /**
         * RepHello
         * @description The first frame: the last seq the console holds of each conversation it shows.
         */
        RepHello: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "hello";
            last_seqs?: {
                [key: string]: number;
            };
        };
        /** RepLimitBody */
        RepLimitBody: {
            /** @default null */
            max_chats?: number | null;
        };
        /** RepList */
        RepList: {
            reps: components["schemas"]["RepOut"][] | components["schemas"]["ColleagueOut"][];
        };
        /** RepLoad */
        RepLoad: {
            rep_id: string;
            name: string;
            active_chats: number;
            max_chats: number | null;
            own_limit: number | null;
            at_capacity: boolean;
        };
        /**
         * RepMessage
         * @description To rep consoles (org topic): sent at once, not batched.
         */
        RepMessage: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "message";
            message: components["schemas"]["MessageOut"];
            visibility: components["schemas"]["Visibility"];
        };
        /**
         * RepMessageFrame
         * @description A chat message; `client_id` is unique per message and reused on retry.
         */
        RepMessageFrame: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "message";
            conversation_id: string;
            client_id: string;
            body: string;
        };
        /**
         * RepOut
         * @description A rep in full: themselves (GET /api/me), or any rep of the org for admins.
         */
        RepOut: {
            id: string;
            email: string;
            name: string;
            /** @enum {string} */
            role: "admin" | "lead" | "rep";
            /** @enum {string} */
            availability: "available" | "away";
            auto_pounce_enabled: boolean;
            auto_pounce_off_reason: string | null;
            voice_video_enabled: boolean;
            active: boolean;
        };
        /** RepPatch */
        RepPatch: {
            /**
             * @description rep, lead (team lead) or admin
             * @default null
             */
            role?: ("admin" | "lead" | "rep") | null;
            /** @default null */
            active?: boolean | null;
            /** @default null */
            name?: string | null;
        };
        /**
         * RepPresence
         * @description A colleague, for names and availability.
         */
        RepPresence: {
            id: string;
            name: string;
            /** @enum {string} */
            availability: "available" | "away";
            active: boolean;
        };
        /**
         * RepResume
         * @description Send the conversation's messages after `after_seq` (answered with `messages`).
         */
        RepResume: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "resume";
            conversation_id: string;
            after_seq: number;
        };
        /**
         * RepServerFrame
         * @description Any frame the server sends on /ws/rep.
         */
        RepServerFrame: components["schemas"]["Snapshot"] | components["schemas"]["Batch"] | components["schemas"]["Ack"] | components["schemas"]["RepMessage"] | components["schemas"]["Messages"] | components["schemas"]["VisitorTyping-Output"] | components["schemas"]["CallChanged"] | components["schemas"]["CallIce"] | components["schemas"]["CallAnswerRelayed"] | components["schemas"]["CallCandidateRelayed"] | components["schemas"]["CallMediaRelayed"] | components["schemas"]["CallRejoined"] | components["schemas"]["ErrorFrame"] | components["schemas"]["Pong"];
        /**
         * RepTyping
         * @description The rep started or stopped typing in a conversation.
         */
        RepTyping: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "typing";
            conversation_id: string;
            is_typing: boolean;
        };
        /** RepUsage */
        RepUsage: {
            rep_id: string;
            name: string;
            suggest: number;
            expand: number;
            tune: number;
        };
        /** Report */
        Report: {
            start: string;
            end: string;
            zone: string;
            rep_id: string | null;
            team_id: string | null;
            segment_id: string | null;
            channel: ("inbound" | "pounce" | "invitation" | "auto_pounce") | null;
            columns: components["schemas"]["ReportColumn"][];
            days: components["schemas"]["DayFigures"][];
            totals: components["schemas"]["Figures"];
            reps: components["schemas"]["RepFigures"][];
        };
        /**
         * ReportColumn
         * @description One figure as the console's tables and the CSV export show it.
         */
        ReportColumn: {
            key: string;
            label: string;
            description: string;
        };
        /** ReportOut */
        ReportOut: {
            id: string;
            visitor_id: string;
            conversation_id: string | null;
            rep_id: string | null;
            reason: string | null;
            ip: string | null;
            /** @enum {string} */
            status: "open" | "reviewed";
            /** Format: date-time */
            created_at: string;
        };
        /**
         * Resync
         * @description Frames for this socket may have been lost on the bus: send `resume` with `after_seq` and
         *     `conversation_id` to catch up (bus.base.RESYNC is these bytes).
         */
        Resync: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "resync";
        };
        /**
         * RetentionSettings
         * @description Days each kind of data is kept; null keeps it until it is erased. An ended chat counts
         *     from when it ended, a visit from its last page, a visitor from when they were last seen.
         */
        "RetentionSettings-Input": {
            /** @default null */
            page_views_days?: number | null;
            /** @default null */
            visits_days?: number | null;
            /** @default null */
            transcripts_days?: number | null;
            /** @default null */
            conversations_days?: number | null;
            /** @default null */
            visitors_days?: number | null;
        };
        /**
         * RetentionSettings
         * @description Days each kind of data is kept; null keeps it until it is erased. An ended chat counts
         *     from when it ended, a visit from its last page, a visitor from when they were last seen.
         */
        "RetentionSettings-Output": {
            /** @default null */
            page_views_days: number | null;
            /** @default null */
            visits_days: number | null;
            /** @default null */
            transcripts_days: number | null;
            /** @default null */
            conversations_days: number | null;
            /** @default null */
            visitors_days: number | null;
        };
        /**
         * RuleFieldOut
         * @description A field segment rules can test; `ops` are the operators for its type, comma-separated.
         */
        RuleFieldOut: {
            field: string;
            type: string;
            description: string;
            ops: string;
        };
        /** SavedAccount */
        SavedAccount: {
            account: components["schemas"]["AccountOut"];
            created: boolean;
        };
        /** SavedSegmentPayload */
        SavedSegmentPayload: {
            segments: components["schemas"]["LiveSegmentOut"][];
            fields: components["schemas"]["RuleFieldOut"][];
            segment: components["schemas"]["SegmentOut"];
        };
        /** ScopeStatus */
        ScopeStatus: {
            scope: string;
            team_id: string | null;
            name: string;
            open_now: boolean;
            reopens_at: string | null;
            closes_at: string | null;
            time_zone: string;
        };
        /** SegmentBody */
        SegmentBody: {
            /** @default null */
            name?: string | null;
            /** @default null */
            color?: string | null;
            /** @default null */
            cold?: boolean | null;
            /** @default null */
            rules?: {
                [key: string]: unknown;
            } | null;
            /** @default null */
            routing?: {
                [key: string]: unknown;
            } | null;
            /** @default null */
            experience_id?: string | null;
        };
        /** SegmentOut */
        SegmentOut: {
            id: string;
            name: string;
            color: string | null;
            cold: boolean;
            position: number;
            rules: {
                [key: string]: unknown;
            };
            routing: {
                [key: string]: unknown;
            };
            experience_id: string | null;
            catch_all: boolean;
        };
        /** SegmentsPayload */
        SegmentsPayload: {
            segments: components["schemas"]["LiveSegmentOut"][];
            fields: components["schemas"]["RuleFieldOut"][];
        };
        /** SentInvitation */
        SentInvitation: {
            invitation: components["schemas"]["InvitationOut"];
        };
        /** SettingsBody */
        SettingsBody: {
            enabled: boolean;
        };
        /** ShortcutBody */
        ShortcutBody: {
            name: string;
            body: string;
            /**
             * @default mine
             * @enum {string}
             */
            scope?: "mine" | "org";
        };
        /** ShortcutList */
        ShortcutList: {
            shortcuts: components["schemas"]["ShortcutOut"][];
            variables: string[];
        };
        /** ShortcutOut */
        ShortcutOut: {
            id: string;
            name: string;
            body: string;
            html: string;
            /** @enum {string} */
            scope: "mine" | "org";
            usage_count: number;
        };
        /** ShortcutPatch */
        ShortcutPatch: {
            /** @default null */
            name?: string | null;
            /** @default null */
            body?: string | null;
        };
        /** SlotOut */
        SlotOut: {
            /** Format: date-time */
            start: string;
            /** Format: date-time */
            end: string;
            label: string;
        };
        /**
         * Snapshot
         * @description Everything the console shows, after `hello` and whenever it must resynchronise (segments
         *     changed, or events may have been lost on the bus): it replaces all the console held.
         */
        Snapshot: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "snapshot";
            rep: components["schemas"]["SnapshotRep"];
            reps: components["schemas"]["RepPresence"][];
            visitors: components["schemas"]["VisitorCard"][];
            conversations: components["schemas"]["ConversationSummary"][];
            segments: components["schemas"]["LiveSegmentOut"][];
            /** Format: date-time */
            server_time: string;
        };
        /**
         * SnapshotRep
         * @description The signed-in rep.
         */
        SnapshotRep: {
            id: string;
            name: string;
            /** @enum {string} */
            role: "admin" | "lead" | "rep";
            /** @enum {string} */
            availability: "available" | "away";
            auto_pounce_enabled: boolean;
            auto_pounce_off_reason: string | null;
            voice_video_enabled: boolean;
        };
        /** Snippet */
        Snippet: {
            snippet: string;
        };
        /** SourceBody */
        SourceBody: {
            /** @enum {string} */
            kind: "sitemap" | "urls";
            urls: string[];
            /** @default 24 */
            refresh_hours?: number;
        };
        /**
         * SourceRef
         * @description Where a suggestion came from.
         */
        SourceRef: {
            item_id: string;
            /** @enum {string} */
            kind: "article" | "qa" | "page" | "shortcut" | "past_answer";
            title: string;
            url: string | null;
        };
        /** StartedConversation */
        StartedConversation: {
            message: components["schemas"]["MessageOut"];
            conversation_id: string;
            conversation: components["schemas"]["ConversationSummary"];
        };
        /** StatusBody */
        StatusBody: {
            /** @default null */
            availability?: ("available" | "away") | null;
            /** @default null */
            auto_pounce_enabled?: boolean | null;
            /** @default null */
            voice_video_enabled?: boolean | null;
        };
        /** SuggestBody */
        SuggestBody: {
            /** @default null */
            conversation_id?: string | null;
            /** @default null */
            question?: string | null;
        };
        /** SuggestOut */
        SuggestOut: {
            question: string;
            /** @enum {string} */
            status: "answer" | "no_confident_answer";
            suggestions: components["schemas"]["SuggestionOut"][];
            closest: components["schemas"]["ClosestSource"][];
            /** @enum {string} */
            retrieval: "hybrid" | "bm25";
            fallback_reason: string | null;
        };
        /** SuggestionOut */
        SuggestionOut: {
            text: string;
            /** @enum {string} */
            origin: "knowledge" | "model";
            sources: components["schemas"]["SourceRef"][];
            confidence: number;
        };
        /** TeamBody */
        TeamBody: {
            name: string;
            rep_ids?: string[];
        };
        /** TeamList */
        TeamList: {
            teams: components["schemas"]["TeamOut"][];
        };
        /** TeamName */
        TeamName: {
            id: string;
            name: string;
        };
        /** TeamOut */
        TeamOut: {
            id: string;
            name: string;
            rep_ids: string[];
        };
        /** TeamPatch */
        TeamPatch: {
            rep_ids: string[];
        };
        /** TeamRename */
        TeamRename: {
            name: string;
        };
        /** Transcript */
        Transcript: {
            conversation: components["schemas"]["ConversationSummary"];
            messages: components["schemas"]["MessageOut"][];
        };
        /**
         * Transfer
         * @description The last hand-over of the chat to another rep (conversations.transfer).
         */
        Transfer: {
            from_rep_id: string | null;
            from_rep_name: string | null;
            to_rep_id: string;
            note: string | null;
            at: string;
            waiting: boolean;
        };
        /** TransferBody */
        TransferBody: {
            to_rep_id: string;
            /** @default null */
            note?: string | null;
        };
        /** TuneBody */
        TuneBody: {
            text: string;
            /**
             * @default friendly
             * @enum {string}
             */
            tone?: "professional" | "casual" | "friendly";
            /** @default null */
            conversation_id?: string | null;
        };
        /** TunedOut */
        TunedOut: {
            text: string;
            original: string;
            /** @enum {string} */
            tone: "professional" | "casual" | "friendly";
            /** @enum {string} */
            origin: "rules" | "model";
            diff: components["schemas"]["DiffPart"][];
            fallback_reason: string | null;
        };
        /**
         * TwimlDocument
         * @description TwiML (XML): what the provider does with the answered phone.
         */
        TwimlDocument: {
            twiml: string;
        };
        /**
         * Typing
         * @description Someone is typing: a rep (to the visitor, with `rep_name`) or the visitor (to consoles, with `visitor_id`).
         */
        Typing: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "typing";
            conversation_id: string;
            is_typing: boolean;
            /** @default null */
            rep_name: string | null;
            /** @default null */
            visitor_id: string | null;
        };
        /**
         * Uploaded
         * @description The stored message that carries the file, and the file (also its `message.meta.file`).
         */
        Uploaded: {
            message: components["schemas"]["MessageOut"];
            file: components["schemas"]["MessageFile"];
        };
        /** UseShortcutBody */
        UseShortcutBody: {
            /** @default null */
            conversation_id?: string | null;
            /** @default null */
            visitor_id?: string | null;
            /** @default true */
            count?: boolean;
        };
        /**
         * Visibility
         * @description Which reps may see the subject of an event (admins always; see the module's rules).
         *     Travels in the event, so consoles get it too.
         */
        Visibility: {
            routed_rep_ids: string[];
            /** @default null */
            owner_rep_id: string | null;
        };
        /** VisitOut */
        VisitOut: {
            id: string;
            started_at: string | null;
            last_seen_at: string | null;
            ip: string | null;
            user_agent: string | null;
            referrer: string | null;
            landing_url: string | null;
            utm: components["schemas"]["VisitUtm"];
            page_views: components["schemas"]["PageViewOut"][];
        };
        /** VisitUtm */
        VisitUtm: {
            source: string | null;
            medium: string | null;
            campaign: string | null;
            term: string | null;
            content: string | null;
        };
        /** Visitor360 */
        Visitor360: {
            visitor: components["schemas"]["VisitorProfile"];
            visits: components["schemas"]["VisitOut"][];
            conversations: components["schemas"]["ConversationSummary"][];
            calls: components["schemas"]["CallOut"][];
            meetings: components["schemas"]["MeetingOut"][];
        };
        /**
         * VisitorBlocked
         * @description To the visitor's tabs: forget the messenger and do not reconnect (then close 4403).
         */
        VisitorBlocked: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "blocked";
        };
        /**
         * VisitorCallAccept
         * @description The visitor joins the rep's call with audio or video (nothing is sent before this).
         */
        VisitorCallAccept: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "call_accept";
            call_id: string;
            /** @enum {string} */
            media: "audio" | "video";
            tab_id: string;
        };
        /** VisitorCard */
        VisitorCard: {
            visitor_id: string;
            visit_id: string;
            name: string | null;
            email: string | null;
            /** @enum {string} */
            identity_status: "anonymous" | "unverified" | "verified";
            company: string | null;
            enrichment: {
                [key: string]: unknown;
            };
            account: components["schemas"]["AccountBrief"] | null;
            segment: string | null;
            experience: string | null;
            url: string;
            title: string;
            og_image: string | null;
            favicon: string | null;
            /** @enum {string} */
            activity: "active" | "another_tab" | "idle";
            /** Format: date-time */
            visit_started_at: string;
            page_views: number;
            referrer: string | null;
            utm: components["schemas"]["CardUtm"];
            returning: boolean;
            conversation_id: string | null;
            conversation_status: ("incoming" | "active" | "ended" | "missed") | null;
            routed_rep_ids: string[];
            routing_reason: string | null;
        };
        /**
         * VisitorChanges
         * @description The card fields a `visitor.updated` event changes (only those that changed).
         */
        VisitorChanges: {
            /** @enum {string} */
            activity: "active" | "another_tab" | "idle";
            url: string;
            title: string;
            og_image: string | null;
            favicon: string | null;
            page_views: number;
            name: string | null;
            email: string | null;
            /** @enum {string} */
            identity_status: "anonymous" | "unverified" | "verified";
        };
        /**
         * VisitorClientFrame
         * @description Any frame the widget sends on /ws/visitor (the first one is `hello`).
         */
        VisitorClientFrame: components["schemas"]["VisitorHello"] | components["schemas"]["Ping"] | components["schemas"]["PageViewFrame"] | components["schemas"]["ActivityFrame"] | components["schemas"]["VisitorMessageFrame"] | components["schemas"]["VisitorTyping-Input"] | components["schemas"]["VisitorResume"] | components["schemas"]["IdentifyFrame"] | components["schemas"]["OpenFrame"] | components["schemas"]["OfflineMessageFrame"] | components["schemas"]["RateFrame"] | components["schemas"]["DraftFrame"] | components["schemas"]["InvitationShown"] | components["schemas"]["PhoneJoinFrame"] | components["schemas"]["PhoneHangUpFrame"] | components["schemas"]["CallRequestFrame"] | components["schemas"]["CallQueueFrame"] | components["schemas"]["CallRingingFrame"] | components["schemas"]["VisitorCallAccept"] | components["schemas"]["CallDeclineFrame"] | components["schemas"]["CallRejoinFrame"] | components["schemas"]["CallAnswerFrame"] | components["schemas"]["CallCandidateFrame"] | components["schemas"]["CallMediaFrame"] | components["schemas"]["CallConnectedFrame"] | components["schemas"]["CallKeepaliveFrame"] | components["schemas"]["CallHangupFrame"];
        /** VisitorConversation */
        VisitorConversation: {
            id: string;
            /** @enum {string} */
            status: "incoming" | "active" | "ended" | "missed";
            /** @enum {string} */
            origin: "inbound" | "pounce" | "invitation" | "auto_pounce";
            rep: components["schemas"]["RepBrief"] | null;
            /** @default false */
            offline: boolean;
            /** @default false */
            ask_identity: boolean;
            /** @default null */
            away_until: string | null;
            /** @default null */
            queue_position: number | null;
            /** @default null */
            invitation_id: string | null;
            /** @default null */
            rating: number | null;
        };
        /**
         * VisitorConversationChanged
         * @description To the visitor's tabs: the open conversation's state changed.
         */
        VisitorConversationChanged: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "conversation";
            conversation: components["schemas"]["VisitorConversation"];
        };
        /** VisitorErasure */
        VisitorErasure: {
            visitor_id: string;
            deleted: {
                [key: string]: number;
            };
        };
        /**
         * VisitorExport
         * @description Everything stored about one visitor, table by table, each row with all its columns.
         */
        VisitorExport: {
            visitor_id: string;
            /** Format: date-time */
            exported_at: string;
            tables: {
                [key: string]: {
                    [key: string]: unknown;
                }[];
            };
        };
        /**
         * VisitorFileRules
         * @description What the messenger needs to offer files: the largest file and the accepted extensions
         *     (the server checks again on upload).
         */
        VisitorFileRules: {
            max_mb: number;
            extensions: string[];
        };
        /**
         * VisitorHello
         * @description The first frame: who the visitor is (a token from an earlier welcome) and the page.
         */
        VisitorHello: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "hello";
            /** @default null */
            token?: string | null;
            page: components["schemas"]["Page"];
            /** @default false */
            resumed?: boolean;
            /** @default 0 */
            last_seq?: number;
            tab_id: string;
            /** @default null */
            language?: string | null;
        };
        /**
         * VisitorInvitation
         * @description An open invitation as the widget shows it (`invitation` frames, `welcome`).
         */
        VisitorInvitation: {
            id: string;
            message: string;
            html: string;
            rep: components["schemas"]["InvitingRep"];
            /** @enum {string} */
            status: "pending" | "shown";
            expires_at: string | null;
            /** Format: date-time */
            server_time: string;
        };
        /**
         * VisitorJoined
         * @description To consoles (batched): a visitor arrived, or moved into this console's audience; the whole card.
         */
        VisitorJoined: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "visitor.joined";
            visitor: components["schemas"]["VisitorCard"];
            visibility: components["schemas"]["Visibility"];
        };
        /**
         * VisitorLeft
         * @description To consoles (batched): the visitor left (or moved out of this console's audience).
         */
        VisitorLeft: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "visitor.left";
            visitor_id: string;
            visibility: components["schemas"]["Visibility"];
        };
        /**
         * VisitorMessage
         * @description To the visitor's tabs (visitor topic).
         */
        VisitorMessage: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "message";
            message: components["schemas"]["MessageOut"];
        };
        /**
         * VisitorMessageFrame
         * @description A chat message; `client_id` is unique per message and reused on retry.
         */
        VisitorMessageFrame: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "message";
            client_id: string;
            body: string;
        };
        /**
         * VisitorPhoneLeg
         * @description The same leg as the visitor's messenger sees it.
         */
        VisitorPhoneLeg: {
            id: string;
            conversation_id: string;
            call_id: string | null;
            number: string;
            /** @enum {string} */
            status: "requested" | "queued" | "ringing" | "in_progress" | "completed" | "busy" | "no_answer" | "failed" | "canceled";
            end_reason: string | null;
        };
        /** VisitorProfile */
        VisitorProfile: {
            id: string;
            name: string | null;
            email: string | null;
            /** @enum {string} */
            identity_status: "anonymous" | "unverified" | "verified";
            first_seen_at: string | null;
            last_seen_at: string | null;
            visit_count: number;
            visitor_id: string;
            company: string | null;
            company_sources: components["schemas"]["EnrichmentSource"][];
            enrichment: {
                [key: string]: unknown;
            };
            account: components["schemas"]["AccountBrief"] | null;
            online: boolean;
            activity: ("active" | "another_tab" | "idle") | null;
            blocked: boolean;
        };
        /**
         * VisitorResume
         * @description Send what this tab missed after `after_seq` (answered with `messages`, or with the frames it missed when `conversation_id` is given).
         */
        VisitorResume: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "resume";
            after_seq: number;
            /** @default null */
            conversation_id?: string | null;
        };
        /**
         * VisitorServerFrame
         * @description Any frame the server sends on /ws/visitor.
         */
        VisitorServerFrame: components["schemas"]["Welcome"] | components["schemas"]["Ack"] | components["schemas"]["VisitorMessage"] | components["schemas"]["Messages"] | components["schemas"]["VisitorConversationChanged"] | components["schemas"]["Typing"] | components["schemas"]["Identified"] | components["schemas"]["InvitationSent"] | components["schemas"]["InvitationExpired"] | components["schemas"]["OfflineReceived"] | components["schemas"]["PhoneLegChanged"] | components["schemas"]["VisitorBlocked"] | components["schemas"]["Resync"] | components["schemas"]["CallChanged"] | components["schemas"]["CallIce"] | components["schemas"]["CallOfferRelayed"] | components["schemas"]["CallCandidateRelayed"] | components["schemas"]["CallMediaRelayed"] | components["schemas"]["Pong"] | components["schemas"]["ErrorFrame"];
        /**
         * VisitorTyping
         * @description The visitor started or stopped typing.
         */
        "VisitorTyping-Input": {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "typing";
            is_typing: boolean;
        };
        /**
         * VisitorTyping
         * @description To consoles (at once): the visitor is typing in their chat; only for the consoles that
         *     may see the chat.
         */
        "VisitorTyping-Output": {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "typing";
            conversation_id: string;
            is_typing: boolean;
            /** @default null */
            rep_name: null;
            visitor_id: string;
            /** @default null */
            draft: string | null;
            visibility: components["schemas"]["Visibility"];
        };
        /**
         * VisitorUpdated
         * @description To consoles (batched): fields of a card changed.
         */
        VisitorUpdated: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "visitor.updated";
            visitor_id: string;
            changes: components["schemas"]["VisitorChanges"];
            visibility: components["schemas"]["Visibility"];
        };
        /**
         * VoiceTokenOut
         * @description A Twilio Access Token for the console of the rep on this leg's browser call: a voice
         *     grant that lets `identity` receive calls, nothing else; short-lived.
         */
        VoiceTokenOut: {
            leg_id: string;
            call_id: string;
            identity: string;
            token: string;
            /** Format: date-time */
            expires_at: string;
        };
        /** WebSourceList */
        WebSourceList: {
            sources: components["schemas"]["WebSourceOut"][];
        };
        /** WebSourceOut */
        WebSourceOut: {
            id: string;
            /** @enum {string} */
            kind: "sitemap" | "urls";
            urls: string[];
            refresh_hours: number;
            /** @enum {string} */
            status: "pending" | "ok" | "error";
            pages_fetched: number;
            last_error: string | null;
            last_fetched_at: string | null;
        };
        /** WebhookBody */
        WebhookBody: {
            url: string;
            /** @default null */
            description?: string | null;
        };
        /** WebhookEndpointOut */
        WebhookEndpointOut: {
            id: string;
            url: string;
            description: string | null;
            enabled: boolean;
            disabled_reason: string | null;
            /** Format: date-time */
            created_at: string;
        };
        /** WebhookList */
        WebhookList: {
            webhooks: components["schemas"]["WebhookEndpointOut"][];
        };
        /** WebhookPatch */
        WebhookPatch: {
            /** @default null */
            enabled?: boolean | null;
            /** @default null */
            url?: string | null;
            /** @default null */
            description?: string | null;
        };
        /**
         * Welcome
         * @description The answer to `hello`: who the visitor is, their open conversation and what to show.
         */
        Welcome: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "welcome";
            token: string;
            visitor_id: string;
            visit_id: string;
            conversation: components["schemas"]["VisitorConversation"] | null;
            messages: components["schemas"]["MessageOut"][];
            /** @enum {string} */
            identity_status: "anonymous" | "unverified" | "verified";
            invitations: components["schemas"]["VisitorInvitation"][];
            /** @default null */
            call: components["schemas"]["CallOut"] | null;
            config: components["schemas"]["WelcomeConfig"];
            /** Format: date-time */
            server_time: string;
        };
        /** WelcomeConfig */
        WelcomeConfig: {
            org_name: string;
            idle_after_seconds: number;
            heartbeat_seconds: number;
            messenger: components["schemas"]["MessengerSettings"];
            phone_join_available: boolean;
            /** @default false */
            visitor_calls: boolean;
            /** @default null */
            visitor_files: components["schemas"]["VisitorFileRules"] | null;
            /** @default false */
            call_queue: boolean;
        };
        /**
         * WidgetBoot
         * @description Blocked (no messenger, no socket), or the public messenger settings.
         */
        WidgetBoot: components["schemas"]["BootBlocked"] | components["schemas"]["BootOpen"];
        /**
         * WidgetConfig
         * @description The org's public messenger settings.
         */
        WidgetConfig: {
            org_name: string;
            idle_after_seconds: number;
            messenger: components["schemas"]["MessengerSettings"];
        };
        /**
         * WrittenOut
         * @description Expand's message.
         */
        WrittenOut: {
            text: string;
            /** @enum {string} */
            tone: "professional" | "casual" | "friendly";
            /** @enum {string} */
            origin: "rules" | "model";
            kept: string[];
            fallback_reason: string | null;
            /** @enum {string} */
            knowledge: "used" | "no_match" | "not_used";
            sources: components["schemas"]["SourceRef"][];
            quoted: string[];
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type Account360 = components['schemas']['Account360'];
export type AccountBody = components['schemas']['AccountBody'];
export type AccountBrief = components['schemas']['AccountBrief'];
export type AccountImport = components['schemas']['AccountImport'];
export type AccountList = components['schemas']['AccountList'];
export type AccountOut = components['schemas']['AccountOut'];
export type AccountVisitor = components['schemas']['AccountVisitor'];
export type Ack = components['schemas']['Ack'];
export type ActivityFrame = components['schemas']['ActivityFrame'];
export type AdClick = components['schemas']['AdClick'];
export type Answer = components['schemas']['Answer'];
export type ApiTokenBody = components['schemas']['ApiTokenBody'];
export type ApiTokenList = components['schemas']['ApiTokenList'];
export type ApiTokenOut = components['schemas']['ApiTokenOut'];
export type AuditEntryOut = components['schemas']['AuditEntryOut'];
export type AuditPage = components['schemas']['AuditPage'];
export type AutoPounceAction = components['schemas']['AutoPounceAction'];
export type AvailabilityBody = components['schemas']['AvailabilityBody'];
export type AvailabilityOut = components['schemas']['AvailabilityOut'];
export type Batch = components['schemas']['Batch'];
export type BlockBody = components['schemas']['BlockBody'];
export type BlockResult = components['schemas']['BlockResult'];
export type BlockedVisitorOut = components['schemas']['BlockedVisitorOut'];
export type BlocksOverview = components['schemas']['BlocksOverview'];
export type BookingCard = components['schemas']['BookingCard'];
export type BootBlocked = components['schemas']['BootBlocked'];
export type BootOpen = components['schemas']['BootOpen'];
export type CalendarBody = components['schemas']['CalendarBody'];
export type CalendarOut = components['schemas']['CalendarOut'];
export type CalendarState = components['schemas']['CalendarState'];
export type CallAnswerFrame = components['schemas']['CallAnswerFrame'];
export type CallAnswerRelayed = components['schemas']['CallAnswerRelayed'];
export type CallCandidateFrame = components['schemas']['CallCandidateFrame'];
export type CallCandidateRelayed = components['schemas']['CallCandidateRelayed'];
export type CallChanged = components['schemas']['CallChanged'];
export type CallConnectedFrame = components['schemas']['CallConnectedFrame'];
export type CallDeclineFrame = components['schemas']['CallDeclineFrame'];
export type CallHangupFrame = components['schemas']['CallHangupFrame'];
export type CallIce = components['schemas']['CallIce'];
export type CallKeepaliveFrame = components['schemas']['CallKeepaliveFrame'];
export type CallMediaFrame = components['schemas']['CallMediaFrame'];
export type CallMediaRelayed = components['schemas']['CallMediaRelayed'];
export type CallOfferFrame = components['schemas']['CallOfferFrame'];
export type CallOfferRelayed = components['schemas']['CallOfferRelayed'];
export type CallOut = components['schemas']['CallOut'];
export type CallPickupFrame = components['schemas']['CallPickupFrame'];
export type CallQueueFrame = components['schemas']['CallQueueFrame'];
export type CallRejoinFrame = components['schemas']['CallRejoinFrame'];
export type CallRejoined = components['schemas']['CallRejoined'];
export type CallRequestFrame = components['schemas']['CallRequestFrame'];
export type CallRingingFrame = components['schemas']['CallRingingFrame'];
export type CallSettings = components['schemas']['CallSettings'];
export type CallSettingsPatch = components['schemas']['CallSettingsPatch'];
export type CallStartFrame = components['schemas']['CallStartFrame'];
export type Campaign = components['schemas']['Campaign'];
export type CapacityBody = components['schemas']['CapacityBody'];
export type CapacityOut = components['schemas']['CapacityOut'];
export type CardUtm = components['schemas']['CardUtm'];
export type ChatHandedOver = components['schemas']['ChatHandedOver'];
export type ChatKept = components['schemas']['ChatKept'];
export type Classification = components['schemas']['Classification'];
export type ClassificationBody = components['schemas']['ClassificationBody'];
export type Classified = components['schemas']['Classified'];
export type ClosestSource = components['schemas']['ClosestSource'];
export type ColleagueOut = components['schemas']['ColleagueOut'];
export type ConversationList = components['schemas']['ConversationList'];
export type ConversationMeta = components['schemas']['ConversationMeta'];
export type ConversationSummary = components['schemas']['ConversationSummary'];
export type ConversationUpdated = components['schemas']['ConversationUpdated'];
export type CopilotAdmin = components['schemas']['CopilotAdmin'];
export type CopilotChanged = components['schemas']['CopilotChanged'];
export type CopilotStatus = components['schemas']['CopilotStatus'];
export type DailyCounts = components['schemas']['DailyCounts'];
export type DayCount = components['schemas']['DayCount'];
export type DayFigures = components['schemas']['DayFigures'];
export type DayOut = components['schemas']['DayOut'];
export type DeliveryList = components['schemas']['DeliveryList'];
export type DeliveryOut = components['schemas']['DeliveryOut'];
export type DiffPart = components['schemas']['DiffPart'];
export type DraftFrame = components['schemas']['DraftFrame'];
export type EmailPreferences = components['schemas']['EmailPreferences'];
export type EmailPreferencesBody = components['schemas']['EmailPreferencesBody'];
export type EnrichmentSource = components['schemas']['EnrichmentSource'];
export type ErrorBody = components['schemas']['ErrorBody'];
export type ErrorDetail = components['schemas']['ErrorDetail'];
export type ErrorFrame = components['schemas']['ErrorFrame'];
export type ExpandBody = components['schemas']['ExpandBody'];
export type ExperienceBody = components['schemas']['ExperienceBody'];
export type ExperienceList = components['schemas']['ExperienceList'];
export type ExperienceOut = components['schemas']['ExperienceOut'];
export type Figures = components['schemas']['Figures'];
export type FileLink = components['schemas']['FileLink'];
export type FileLinks = components['schemas']['FileLinks'];
export type FileSettingsInput = components['schemas']['FileSettings-Input'];
export type FileSettingsOutput = components['schemas']['FileSettings-Output'];
export type FileSettingsOut = components['schemas']['FileSettingsOut'];
export type FilledShortcut = components['schemas']['FilledShortcut'];
export type Health = components['schemas']['Health'];
export type HolidayFeedBody = components['schemas']['HolidayFeedBody'];
export type HolidayIn = components['schemas']['HolidayIn'];
export type HolidayOut = components['schemas']['HolidayOut'];
export type HoursBody = components['schemas']['HoursBody'];
export type HoursList = components['schemas']['HoursList'];
export type HoursOut = components['schemas']['HoursOut'];
export type HoursStatus = components['schemas']['HoursStatus'];
export type IceCandidate = components['schemas']['IceCandidate'];
export type IceServer = components['schemas']['IceServer'];
export type IceSettingsOut = components['schemas']['IceSettingsOut'];
export type Identified = components['schemas']['Identified'];
export type IdentifyFrame = components['schemas']['IdentifyFrame'];
export type IdentitySecretOut = components['schemas']['IdentitySecretOut'];
export type ImportBody = components['schemas']['ImportBody'];
export type ImportResult = components['schemas']['ImportResult'];
export type InvitationBody = components['schemas']['InvitationBody'];
export type InvitationExpired = components['schemas']['InvitationExpired'];
export type InvitationList = components['schemas']['InvitationList'];
export type InvitationOut = components['schemas']['InvitationOut'];
export type InvitationPreview = components['schemas']['InvitationPreview'];
export type InvitationSent = components['schemas']['InvitationSent'];
export type InvitationShown = components['schemas']['InvitationShown'];
export type InvitationUpdated = components['schemas']['InvitationUpdated'];
export type InvitingRep = components['schemas']['InvitingRep'];
export type IpBlockBody = components['schemas']['IpBlockBody'];
export type IpBlockDetail = components['schemas']['IpBlockDetail'];
export type IpBlockOut = components['schemas']['IpBlockOut'];
export type IpRangeBody = components['schemas']['IpRangeBody'];
export type IpRangeList = components['schemas']['IpRangeList'];
export type IpRangeOut = components['schemas']['IpRangeOut'];
export type ItemBody = components['schemas']['ItemBody'];
export type ItemPatch = components['schemas']['ItemPatch'];
export type KindCount = components['schemas']['KindCount'];
export type KnowledgeItemOut = components['schemas']['KnowledgeItemOut'];
export type KnowledgeList = components['schemas']['KnowledgeList'];
export type LiveSegmentOut = components['schemas']['LiveSegmentOut'];
export type LoginBody = components['schemas']['LoginBody'];
export type MeOut = components['schemas']['MeOut'];
export type MeetingList = components['schemas']['MeetingList'];
export type MeetingOut = components['schemas']['MeetingOut'];
export type MeetingTypeBody = components['schemas']['MeetingTypeBody'];
export type MeetingTypeList = components['schemas']['MeetingTypeList'];
export type MeetingTypeOut = components['schemas']['MeetingTypeOut'];
export type MemberStatus = components['schemas']['MemberStatus'];
export type MemberStatusList = components['schemas']['MemberStatusList'];
export type MessageBody = components['schemas']['MessageBody'];
export type MessageFile = components['schemas']['MessageFile'];
export type MessageOut = components['schemas']['MessageOut'];
export type Messages = components['schemas']['Messages'];
export type MessengerSettings = components['schemas']['MessengerSettings'];
export type MessengerSettingsPatch = components['schemas']['MessengerSettingsPatch'];
export type NewApiToken = components['schemas']['NewApiToken'];
export type NewRepBody = components['schemas']['NewRepBody'];
export type NewWebhookEndpoint = components['schemas']['NewWebhookEndpoint'];
export type NextOwner = components['schemas']['NextOwner'];
export type OfferBody = components['schemas']['OfferBody'];
export type OfferOut = components['schemas']['OfferOut'];
export type OfflineMessageFrame = components['schemas']['OfflineMessageFrame'];
export type OfflineMessageList = components['schemas']['OfflineMessageList'];
export type OfflineMessageOut = components['schemas']['OfflineMessageOut'];
export type OfflineReceived = components['schemas']['OfflineReceived'];
export type Ok = components['schemas']['Ok'];
export type OpenFrame = components['schemas']['OpenFrame'];
export type OrderBody = components['schemas']['OrderBody'];
export type OrgEmailSettings = components['schemas']['OrgEmailSettings'];
export type OrgEmailSettingsBody = components['schemas']['OrgEmailSettingsBody'];
export type OrgOut = components['schemas']['OrgOut'];
export type OrgSettingsBody = components['schemas']['OrgSettingsBody'];
export type OriginsBody = components['schemas']['OriginsBody'];
export type OtherChatsTransferred = components['schemas']['OtherChatsTransferred'];
export type Page = components['schemas']['Page'];
export type PageCount = components['schemas']['PageCount'];
export type PageViewFrame = components['schemas']['PageViewFrame'];
export type PageViewOut = components['schemas']['PageViewOut'];
export type PasswordBody = components['schemas']['PasswordBody'];
export type PhoneHangUpFrame = components['schemas']['PhoneHangUpFrame'];
export type PhoneJoinFrame = components['schemas']['PhoneJoinFrame'];
export type PhoneLegChanged = components['schemas']['PhoneLegChanged'];
export type PhoneLegList = components['schemas']['PhoneLegList'];
export type PhoneLegOut = components['schemas']['PhoneLegOut'];
export type PhoneLegUpdated = components['schemas']['PhoneLegUpdated'];
export type PhoneSettingsBody = components['schemas']['PhoneSettingsBody'];
export type PhoneSettingsOut = components['schemas']['PhoneSettingsOut'];
export type PhoneSettingsPage = components['schemas']['PhoneSettingsPage'];
export type Ping = components['schemas']['Ping'];
export type Pong = components['schemas']['Pong'];
export type PostedMessage = components['schemas']['PostedMessage'];
export type Preview = components['schemas']['Preview'];
export type PreviewBody = components['schemas']['PreviewBody'];
export type PreviewInvitationBody = components['schemas']['PreviewInvitationBody'];
export type PrivacySettingsOut = components['schemas']['PrivacySettingsOut'];
export type PrivacySettingsPatch = components['schemas']['PrivacySettingsPatch'];
export type ProactiveReport = components['schemas']['ProactiveReport'];
export type ProactiveSettings = components['schemas']['ProactiveSettings'];
export type Question = components['schemas']['Question'];
export type QuestionBody = components['schemas']['QuestionBody'];
export type RateFrame = components['schemas']['RateFrame'];
export type Rating = components['schemas']['Rating'];
export type Readiness = components['schemas']['Readiness'];
export type RegionOut = components['schemas']['RegionOut'];
export type RepBrief = components['schemas']['RepBrief'];
export type RepCallAccept = components['schemas']['RepCallAccept'];
export type RepCallRejoin = components['schemas']['RepCallRejoin'];
export type RepChanged = components['schemas']['RepChanged'];
export type RepClientFrame = components['schemas']['RepClientFrame'];
export type RepFigures = components['schemas']['RepFigures'];
export type RepHello = components['schemas']['RepHello'];
export type RepLimitBody = components['schemas']['RepLimitBody'];
export type RepList = components['schemas']['RepList'];
export type RepLoad = components['schemas']['RepLoad'];
export type RepMessage = components['schemas']['RepMessage'];
export type RepMessageFrame = components['schemas']['RepMessageFrame'];
export type RepOut = components['schemas']['RepOut'];
export type RepPatch = components['schemas']['RepPatch'];
export type RepPresence = components['schemas']['RepPresence'];
export type RepResume = components['schemas']['RepResume'];
export type RepServerFrame = components['schemas']['RepServerFrame'];
export type RepTyping = components['schemas']['RepTyping'];
export type RepUsage = components['schemas']['RepUsage'];
export type Report = components['schemas']['Report'];
export type ReportColumn = components['schemas']['ReportColumn'];
export type ReportOut = components['schemas']['ReportOut'];
export type Resync = components['schemas']['Resync'];
export type RetentionSettingsInput = components['schemas']['RetentionSettings-Input'];
export type RetentionSettingsOutput = components['schemas']['RetentionSettings-Output'];
export type RuleFieldOut = components['schemas']['RuleFieldOut'];
export type SavedAccount = components['schemas']['SavedAccount'];
export type SavedSegmentPayload = components['schemas']['SavedSegmentPayload'];
export type ScopeStatus = components['schemas']['ScopeStatus'];
export type SegmentBody = components['schemas']['SegmentBody'];
export type SegmentOut = components['schemas']['SegmentOut'];
export type SegmentsPayload = components['schemas']['SegmentsPayload'];
export type SentInvitation = components['schemas']['SentInvitation'];
export type SettingsBody = components['schemas']['SettingsBody'];
export type ShortcutBody = components['schemas']['ShortcutBody'];
export type ShortcutList = components['schemas']['ShortcutList'];
export type ShortcutOut = components['schemas']['ShortcutOut'];
export type ShortcutPatch = components['schemas']['ShortcutPatch'];
export type SlotOut = components['schemas']['SlotOut'];
export type Snapshot = components['schemas']['Snapshot'];
export type SnapshotRep = components['schemas']['SnapshotRep'];
export type Snippet = components['schemas']['Snippet'];
export type SourceBody = components['schemas']['SourceBody'];
export type SourceRef = components['schemas']['SourceRef'];
export type StartedConversation = components['schemas']['StartedConversation'];
export type StatusBody = components['schemas']['StatusBody'];
export type SuggestBody = components['schemas']['SuggestBody'];
export type SuggestOut = components['schemas']['SuggestOut'];
export type SuggestionOut = components['schemas']['SuggestionOut'];
export type TeamBody = components['schemas']['TeamBody'];
export type TeamList = components['schemas']['TeamList'];
export type TeamName = components['schemas']['TeamName'];
export type TeamOut = components['schemas']['TeamOut'];
export type TeamPatch = components['schemas']['TeamPatch'];
export type TeamRename = components['schemas']['TeamRename'];
export type Transcript = components['schemas']['Transcript'];
export type Transfer = components['schemas']['Transfer'];
export type TransferBody = components['schemas']['TransferBody'];
export type TuneBody = components['schemas']['TuneBody'];
export type TunedOut = components['schemas']['TunedOut'];
export type TwimlDocument = components['schemas']['TwimlDocument'];
export type Typing = components['schemas']['Typing'];
export type Uploaded = components['schemas']['Uploaded'];
export type UseShortcutBody = components['schemas']['UseShortcutBody'];
export type Visibility = components['schemas']['Visibility'];
export type VisitOut = components['schemas']['VisitOut'];
export type VisitUtm = components['schemas']['VisitUtm'];
export type Visitor360 = components['schemas']['Visitor360'];
export type VisitorBlocked = components['schemas']['VisitorBlocked'];
export type VisitorCallAccept = components['schemas']['VisitorCallAccept'];
export type VisitorCard = components['schemas']['VisitorCard'];
export type VisitorChanges = components['schemas']['VisitorChanges'];
export type VisitorClientFrame = components['schemas']['VisitorClientFrame'];
export type VisitorConversation = components['schemas']['VisitorConversation'];
export type VisitorConversationChanged = components['schemas']['VisitorConversationChanged'];
export type VisitorErasure = components['schemas']['VisitorErasure'];
export type VisitorExport = components['schemas']['VisitorExport'];
export type VisitorFileRules = components['schemas']['VisitorFileRules'];
export type VisitorHello = components['schemas']['VisitorHello'];
export type VisitorInvitation = components['schemas']['VisitorInvitation'];
export type VisitorJoined = components['schemas']['VisitorJoined'];
export type VisitorLeft = components['schemas']['VisitorLeft'];
export type VisitorMessage = components['schemas']['VisitorMessage'];
export type VisitorMessageFrame = components['schemas']['VisitorMessageFrame'];
export type VisitorPhoneLeg = components['schemas']['VisitorPhoneLeg'];
export type VisitorProfile = components['schemas']['VisitorProfile'];
export type VisitorResume = components['schemas']['VisitorResume'];
export type VisitorServerFrame = components['schemas']['VisitorServerFrame'];
export type VisitorTypingInput = components['schemas']['VisitorTyping-Input'];
export type VisitorTypingOutput = components['schemas']['VisitorTyping-Output'];
export type VisitorUpdated = components['schemas']['VisitorUpdated'];
export type VoiceTokenOut = components['schemas']['VoiceTokenOut'];
export type WebSourceList = components['schemas']['WebSourceList'];
export type WebSourceOut = components['schemas']['WebSourceOut'];
export type WebhookBody = components['schemas']['WebhookBody'];
export type WebhookEndpointOut = components['schemas']['WebhookEndpointOut'];
export type WebhookList = components['schemas']['WebhookList'];
export type WebhookPatch = components['schemas']['WebhookPatch'];
export type Welcome = components['schemas']['Welcome'];
export type WelcomeConfig = components['schemas']['WelcomeConfig'];
export type WidgetBoot = components['schemas']['WidgetBoot'];
export type WidgetConfig = components['schemas']['WidgetConfig'];
export type WrittenOut = components['schemas']['WrittenOut'];
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
