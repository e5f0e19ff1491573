import { Notice } from "@/components/notice";

/** What a role sees on a section it may not open, sent with a 403 status. */
export default function Forbidden() {
  return (
    <Notice
      code="403"
      title="You don't have access to this page"
      description="Your role can't open this section. Ask an admin of your organization if you need it."
    />
  );
}
