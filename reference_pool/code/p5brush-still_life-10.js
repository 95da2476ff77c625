// Terracotta pots and a clay jug in a row on a sunlit sill, warm earth tones with long shadows.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f6efe2');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // wall and sill
  brush.fill('#efd9bc', 150);
  brush.fillBleed(0.25);
  brush.fillTexture(0.5, 0.2);
  brush.rect(-256, -256, 512, 356);
  brush.fill('#d7b48a', 180);
  brush.rect(-256, 100, 512, 156);

  // long shadows to the right
  brush.fill('#b58c64', 140);
  brush.fillBleed(0.2);
  brush.polygon([[-140, 110], [-60, 110], [40, 150], [-80, 150]]);
  brush.polygon([[-20, 110], [60, 110], [170, 155], [40, 155]]);
  brush.polygon([[110, 110], [180, 110], [256, 150], [170, 150]]);

  function pot(x, top, w, h, c) {
    for (let k = 0; k < 2; k++) {
      brush.fill(c, 200);
      brush.fillBleed(0.12);
      brush.fillTexture(0.5, 0.5);
      brush.polygon([[x - w, top], [x + w, top], [x + w * 0.72, top + h], [x - w * 0.72, top + h]]);
    }
    brush.fill(c, 220);
    brush.rect(x - w - 8, top - 18, 2 * w + 16, 22);
  }
  pot(-100, -10, 52, 118, '#c8643b');
  pot(145, 30, 38, 80, '#d9804f');

  // clay jug in the middle
  for (let k = 0; k < 2; k++) {
    brush.fill('#a9502e', 200);
    brush.fillBleed(0.12);
    brush.fillTexture(0.5, 0.5);
    brush.beginShape(0.7);
    brush.vertex(5, -120);
    brush.vertex(35, -120);
    brush.vertex(30, -70);
    brush.vertex(70, -10);
    brush.vertex(62, 108);
    brush.vertex(-22, 108);
    brush.vertex(-30, -10);
    brush.vertex(10, -70);
    brush.endShape(true);
  }
  // light side
  brush.fill('#e9a47a', 170);
  brush.polygon([[-18, -5], [0, -40], [-4, 95], [-16, 95]]);

  // green sprig in the big pot
  brush.noFill();
  brush.set('2B', '#4f6b3a', 2);
  brush.spline([[-100, -20], [-120, -90], [-150, -130]], 0.6);
  brush.spline([[-100, -20], [-80, -100], [-60, -140]], 0.6);
  brush.noStroke();
  brush.fill('#6f8f4e', 190);
  brush.circle(-150, -132, 16);
  brush.circle(-62, -142, 18);
  brush.circle(-118, -92, 13);
  brush.circle(-84, -95, 12);

  brush.noFill();
  brush.set('HB', '#5a3a26', 1.2);
  brush.line(-256, 100, 256, 100);
}
