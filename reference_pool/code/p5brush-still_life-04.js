// Three green glass bottles of different heights on a shelf, translucent overlapping washes.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f3f0e6');
  brush.scaleBrushes(1.5);

  brush.noStroke();
  brush.fill('#d8d6c4', 140);
  brush.fillBleed(0.2);
  brush.rect(-256, 120, 512, 136);

  function bottle(x, w, h, neck, c, a) {
    brush.fill(c, a);
    brush.fillBleed(0.25);
    brush.fillTexture(0.5, 0.45);
    brush.beginShape(0.3);
    brush.vertex(x - w, 130);
    brush.vertex(x - w, 130 - h);
    brush.vertex(x - neck, 130 - h - 45);
    brush.vertex(x - neck, 130 - h - 85);
    brush.vertex(x + neck, 130 - h - 85);
    brush.vertex(x + neck, 130 - h - 45);
    brush.vertex(x + w, 130 - h);
    brush.vertex(x + w, 130);
    brush.endShape(true);
  }
  bottle(-90, 48, 150, 14, '#2f7a4a', 200);
  bottle(20, 42, 200, 12, '#6aa84f', 180);
  bottle(115, 52, 100, 16, '#1f5c3a', 210);

  // glints
  brush.fill('#e9f4e4', 190);
  brush.rect(-122, -10, 10, 110);
  brush.rect(-6, -60, 8, 160);
  brush.rect(80, 40, 10, 70);

  brush.noFill();
  brush.set('HB', '#2b3a2e', 0.9);
  brush.line(-256, 130, 256, 130);
  brush.line(-210, 135, -150, 135);
}
