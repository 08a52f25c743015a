import { byteSize, classFolderLabel, imageCount } from "~/lab/vocabulary";

test("the lab counts images in the singular for one and in the plural otherwise", () => {
  expect(imageCount(0)).toBe("0 images");
  expect(imageCount(1)).toBe("1 image");
  expect(imageCount(40)).toBe("40 images");
  expect(imageCount(1200)).toBe("1,200 images");
});

test("a class folder is named with its class", () => {
  expect(classFolderLabel("Benign")).toBe("Benign/ — Benign (hematogones)");
  expect(classFolderLabel("Pro")).toBe("Pro/ — Pro-B ALL");
});

test("a dataset's size is in kilobytes under a megabyte, else in megabytes to a tenth", () => {
  expect(byteSize(300)).toBe("1 KB");
  expect(byteSize(348_160)).toBe("340 KB");
  expect(byteSize(1024 * 1024)).toBe("1 MB");
  expect(byteSize(2.44 * 1024 * 1024)).toBe("2.4 MB");
  expect(byteSize(1500 * 1024 * 1024)).toBe("1,500 MB");
});
