import { Notice } from "@/components/notice";

export default function NotFound() {
  return <Notice code="404" title="This page does not exist" description="Check the address, or start again from your console." />;
}
