import { Notice } from "@/components/notice";

export default function NotFound() {
  return <Notice code="404" title="Not found" description="There is nothing here, or it belongs to another organization." />;
}
